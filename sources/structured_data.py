"""schema.org JSON-LD for cited sources, for `MedicalWebPage.citation`."""


def citations(sources):
    """A schema.org `CreativeWork` for each source, in the order given."""
    return [_creative_work(source) for source in sources]


def _creative_work(source):
    work = {
        "@type": "CreativeWork",
        "name": source.title,
        "url": source.url,
        "publisher": {"@type": "Organization", "name": source.publisher},
    }
    if source.doi:
        work["sameAs"] = source.doi_url
    if source.pmid:
        work["identifier"] = {"@type": "PropertyValue", "propertyID": "PMID", "value": source.pmid}
    return work
