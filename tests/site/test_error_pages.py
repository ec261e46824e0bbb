import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


def test_500_page_is_in_the_site_layout_and_needs_no_database():
    response = server_error(RequestFactory().get("/articles/broken/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, something went wrong" in content
    assert "Skip to main content" in content
    assert 'rel="canonical"' not in content  # rendered without a request


@pytest.mark.django_db
def test_404_page_is_in_the_site_layout(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Health A to Z" in response.content.decode()
