"""Synthetic articles at scale, for benchmarks: `manage.py seed_bench --articles N`.

Titles are made from word lists ("Why do my knees ache after running?"); every
combination of body part, symptom, situation, wording and whose body it is
gets its own number, and article k takes combination (a·k + b) mod M, a and b
drawn from the seed: titles never repeat, and article k is the same however
the seeding is split into runs. The text around the title comes from the same
vocabulary (causes such as dehydration, caffeine or stress; remedies;
activities), so search terms find what a reader would expect.

Everything is written in bulk, a batch of articles per transaction: the
articles with `bulk_create`, their causes, questions and tags with COPY on
PostgreSQL (`bulk_create` on SQLite), then their search vectors in one UPDATE.
Bulk writes send no signals and make no revisions; this command does what the
signals would have done (HTML twins, search vectors, the tag index, the index
of links) itself.
"""

import itertools
import math
import random
import re
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles.links import index as index_links
from articles.models import (
    Article,
    ArticleCause,
    Cause,
    InternalLink,
    RelatedLink,
    TaggedArticle,
)
from articles.search import refresh_search_vectors
from articles.tag_index import published_at, recount, recount_articles
from articles.tag_index import rebuild as rebuild_tag_index
from faq.models import FAQEntry
from healthsite.markdown import render_markdown

# Slugs made from titles never hold two hyphens in a row, so this prefix marks
# bench content (articles, and the causes and tags seeding created) and
# nothing an editor made, even an article about bench presses.
PREFIX = "bench--"
PUBLISHED_SHARE = 0.95
YEARS_OF_ARTICLES = 5
CAUSES_PER_ARTICLE = (5, 15)
QUESTIONS_PER_ARTICLE = (5, 15)
TAGS_PER_ARTICLE = (2, 6)
LINKS_PER_ARTICLE = (1, 3)  # to other articles, in the conclusion
SEE_ALSO_PER_ARTICLE = (1, 3)  # pinned "See also" links (the sample article has 3)
CAUSE_POOL_SIZE = 400
TAG_POOL_SIZE = 300
SENTENCE_POOL_SIZE = 3000
# A cause's own page is about no one body part.
CAUSE_PAGE_WORDS = {
    "part": "affected area",
    "noun": "discomfort",
    "Noun": "Discomfort",
    "context": "at certain times",
}

# -- vocabulary ------------------------------------------------------------------

# key: (base verb, noun, adjective)
SYMPTOMS = {
    "ache": ("ache", "aching", "aching"),
    "hurt": ("hurt", "pain", "painful"),
    "itch": ("itch", "itching", "itchy"),
    "swell": ("swell", "swelling", "swollen"),
    "twitch": ("twitch", "twitching", "twitching"),
    "tingle": ("tingle", "tingling", "tingling"),
    "numb": ("feel numb", "numbness", "numb"),
    "stiff": ("feel stiff", "stiffness", "stiff"),
    "burn": ("burn", "a burning feeling", "burning"),
    "throb": ("throb", "throbbing", "throbbing"),
    "crack": ("crack", "cracking", "cracked"),
    "cramp": ("cramp", "cramps", "cramping"),
    "weak": ("feel weak", "weakness", "weak"),
    "cold": ("feel cold", "coldness", "cold"),
    "tight": ("feel tight", "tightness", "tight"),
    "shake": ("shake", "shaking", "shaky"),
    "red": ("go red", "redness", "red"),
    "sore": ("feel sore", "soreness", "sore"),
    "click": ("click", "clicking", "clicking"),
    "dry": ("feel dry", "dryness", "dry"),
    "water": ("water", "watering", "watery"),
    "peel": ("peel", "peeling", "peeling"),
    "sweat": ("sweat", "sweating", "sweaty"),
    "bleed": ("bleed", "bleeding", "bleeding"),
    "heavy": ("feel heavy", "heaviness", "heavy"),
    "hot": ("feel hot", "a hot feeling", "hot"),
    "ring": ("ring", "ringing", "ringing"),
}
JOINT = "ache hurt swell stiff crack click weak throb sore"
MUSCLE = "ache hurt cramp twitch tight weak sore shake throb heavy"
NERVE = "tingle numb burn cold twitch weak"
SKIN = "itch burn red peel dry crack sweat swell tingle hot"

# (as named in a title, plural, tag name, symptoms)
PARTS = [
    ("knees", True, "knee", JOINT),
    ("hips", True, "hip", JOINT),
    ("ankles", True, "ankle", JOINT),
    ("wrists", True, "wrist", JOINT + " tingle numb"),
    ("elbows", True, "elbow", JOINT + " tingle"),
    ("shoulders", True, "shoulder", JOINT + " tight"),
    ("fingers", True, "finger", JOINT + " " + NERVE),
    ("toes", True, "toe", JOINT + " tingle numb cold burn twitch"),
    ("hands", True, "hand", NERVE + " shake sweat itch swell ache sore"),
    ("feet", True, "foot", NERVE + " " + SKIN + " ache sore"),
    ("legs", True, "leg", MUSCLE + " " + NERVE),
    ("arms", True, "arm", MUSCLE + " " + NERVE),
    ("calves", True, "calf", MUSCLE + " swell"),
    ("thighs", True, "thigh", MUSCLE + " numb burn"),
    ("heels", True, "heel", "ache hurt sore crack dry peel burn"),
    ("eyes", True, "eye", "itch burn water red dry hurt ache twitch swell sore"),
    ("eyelids", True, "eyelid", "twitch swell itch red heavy peel dry"),
    ("ears", True, "ear", "ring itch hurt ache throb burn hot red"),
    ("gums", True, "gum", "bleed hurt swell sore throb red"),
    ("lips", True, "lip", "dry crack peel swell tingle burn numb itch"),
    ("joints", True, "joint", JOINT),
    ("muscles", True, "muscle", MUSCLE),
    ("hamstrings", True, "hamstring", "ache hurt cramp tight sore weak"),
    ("back", False, "back", JOINT + " " + MUSCLE),
    ("lower back", False, "lower back", JOINT + " " + MUSCLE),
    ("neck", False, "neck", JOINT + " tight crack"),
    ("head", False, "head", "ache hurt throb itch heavy hot"),
    ("jaw", False, "jaw", "ache hurt click crack stiff sore throb"),
    ("chest", False, "chest", "hurt ache tight burn heavy sore"),
    ("stomach", False, "stomach", "hurt ache cramp burn tight swell"),
    ("throat", False, "throat", "hurt sore burn itch tight dry"),
    ("skin", False, "skin", SKIN),
    ("scalp", False, "scalp", "itch burn peel sore tingle dry red sweat"),
    ("face", False, "face", "red itch swell tingle numb burn hot sweat twitch"),
    ("tongue", False, "tongue", "burn tingle numb swell hurt dry sore"),
    ("nose", False, "nose", "itch bleed burn dry red hurt"),
]

# Situations; {I}, {am} and {my} follow whose body it is.
CONTEXTS = [
    "after running", "after walking", "after a long walk", "after eating", "at night",
    "in the morning", "when {I} sit down", "when {I} stand up", "in cold weather",
    "in hot weather", "after exercise", "during pregnancy", "after drinking coffee",
    "when {I} {am} stressed", "after a long flight", "after sleeping", "when {I} bend over",
    "after lifting weights", "after cycling", "after swimming", "when {I} climb stairs",
    "after work", "after a shower", "when {I} wake up", "after a cold", "when {I} lie down",
    "after typing", "after drinking alcohol", "during {my} period", "after standing all day",
    "for no reason", "all the time", "every day", "in winter", "in summer", "after yoga",
    "after gardening", "when {I} cough", "when {I} {am} tired", "after stretching",
    "after a massage", "after playing football", "after dancing", "when {I} kneel",
    "when {I} walk", "after driving", "at work", "after a hot bath", "when {I} run",
    "during exercise", "after a workout", "after sitting at a desk", "on holiday",
    "after a late night", "after a big meal", "when {I} squat", "in the evening",
    "after hiking", "after playing tennis", "when it rains",
]  # fmt: skip

# (possessive, {I}, {am}, {my}, audience for titles that name no one)
WHOSE = [
    ("my", "I", "am", "my", ""),
    ("my child's", "they", "are", "their", " in children"),
    ("my teenager's", "they", "are", "their", " in teenagers"),
]

TITLES = [
    "Why {do} {whose} {part} {verb} {context}?",
    "What causes {noun} in {whose} {part} {context}?",
    "{Noun} in the {part} {context}{audience}: causes and remedies",
    "Is {noun} in {whose} {part} {context} something to worry about?",
    "How to ease {noun} in the {part} {context}{audience}",
    "{Adjective} {part} {context}{audience}: what it means",
    "When should I worry about {noun} in {whose} {part} {context}?",
    "{Adjective} {part} {context}{audience}? Common causes and what helps",
]

SUBTITLES = [
    "Causes and remedies",
    "Understanding the causes and remedies",
    "Common causes and when to get help",
    "What it means and what helps",
    "Causes, treatment and prevention",
    "Why it happens and what you can do",
]

CAUSES = [
    "Dehydration", "Caffeine", "Stress", "Anxiety", "Lack of sleep", "Poor posture",
    "Muscle strain", "Overuse", "Muscle fatigue", "Repetitive strain injury", "Osteoarthritis",
    "Rheumatoid arthritis", "Gout", "Tendinitis", "Bursitis", "Sprain", "Fracture",
    "Nerve compression", "Sciatica", "Carpal tunnel syndrome", "Peripheral neuropathy",
    "Diabetes", "Underactive thyroid", "Overactive thyroid", "Anaemia", "Iron deficiency",
    "Vitamin B12 deficiency", "Vitamin D deficiency", "Magnesium deficiency",
    "Potassium deficiency", "Calcium deficiency", "Electrolyte imbalance", "Low blood sugar",
    "High blood pressure", "Poor circulation", "Raynaud's phenomenon", "Varicose veins",
    "Deep vein thrombosis", "Restless legs syndrome", "Fibromyalgia",
    "Chronic fatigue syndrome", "Hormonal changes", "Pregnancy", "Menopause",
    "Premenstrual syndrome", "Viral infection", "Bacterial infection", "Fungal infection",
    "Cold and flu", "Allergies", "Hay fever", "Eczema", "Psoriasis", "Contact dermatitis",
    "Dry skin", "Sunburn", "Insect bites", "Heat exhaustion", "Cold weather", "Alcohol",
    "Smoking", "Medication side effects", "Statins", "Diuretics", "Antidepressants",
    "Blood pressure tablets", "Steroids", "Antihistamines", "Overtraining", "Poor footwear",
    "Flat feet", "Being overweight", "Sitting for long periods", "Standing for long periods",
    "Heavy lifting", "Sleeping position", "Teeth grinding", "Jaw clenching", "Eye strain",
    "Screen time", "Dry eye disease", "Conjunctivitis", "Migraine", "Tension headache",
    "Sinusitis", "Ear infection", "Earwax build-up", "Tonsillitis", "Acid reflux",
    "Irritable bowel syndrome", "Food intolerance", "Constipation", "Urinary tract infection",
    "Kidney stones", "Lupus", "Lyme disease", "Shingles", "Multiple sclerosis",
    "Parkinson's disease", "Growing pains", "Hypermobility", "Scoliosis", "Slipped disc",
    "Whiplash", "Frozen shoulder", "Tennis elbow", "Golfer's elbow", "Plantar fasciitis",
    "Achilles tendinopathy", "Shin splints", "Runner's knee", "Cartilage damage",
    "Ligament injury", "Ganglion cyst", "Ingrown toenail", "Bunions", "Corns and calluses",
    "Athlete's foot", "Cold sores", "Mouth ulcers", "Gum disease", "Tooth decay",
    "Panic attacks", "Depression", "Low mood", "Hyperventilation", "Nicotine withdrawal",
    "Caffeine withdrawal", "Too much salt", "Poor diet", "Sudden weight loss",
    "Long-haul travel", "Hot weather", "High altitude", "Anxiety attacks", "Burnout",
    "Insomnia", "Sleep apnoea", "Snoring", "Heat rash", "Hives", "Chilblains", "Gastritis",
    "Coeliac disease", "Lactose intolerance", "Chest infection", "Asthma", "Costochondritis",
    "Tinnitus", "Labyrinthitis", "Vertigo", "Blepharitis", "Stye", "Glaucoma", "Cataracts",
    "Ankylosing spondylitis", "Psoriatic arthritis", "Reactive arthritis",
    "Polymyalgia rheumatica", "Osteoporosis", "Paget's disease of bone", "Baker's cyst",
    "Housemaid's knee", "Osgood-Schlatter disease", "Sever's disease", "Morton's neuroma",
    "Tarsal tunnel syndrome", "Cubital tunnel syndrome", "Trigger finger",
    "De Quervain's tenosynovitis", "Dupuytren's contracture", "Rotator cuff injury",
    "Hamstring tear", "Calf tear", "Stress fracture", "Compartment syndrome",
    "Peripheral arterial disease", "Heart failure", "Angina", "Cellulitis", "Impetigo",
    "Ringworm", "Scabies", "Head lice", "Dandruff", "Seborrhoeic dermatitis", "Rosacea", "Acne",
    "Lichen planus", "Urticaria", "Angioedema", "Blocked tear duct", "Keratitis", "Uveitis",
    "Macular degeneration", "Meniere's disease", "Glue ear", "Perforated eardrum",
    "Barotrauma", "Nasal polyps", "Deviated septum", "Rhinitis", "Laryngitis", "Pharyngitis",
    "Glandular fever", "Oral thrush", "Burning mouth syndrome", "Geographic tongue",
    "Dry mouth", "Wisdom teeth", "Tooth abscess", "Sensitive teeth",
    "Temporomandibular disorder", "Trigeminal neuralgia", "Bell's palsy", "Cluster headache",
    "Medication overuse headache", "Concussion", "Cervical spondylosis", "Spinal stenosis",
    "Piriformis syndrome", "Sacroiliac joint pain", "Hernia", "Gallstones", "Pancreatitis",
    "Stomach ulcer", "Crohn's disease", "Ulcerative colitis", "Diverticulitis",
    "Food poisoning", "Gastroenteritis", "Appendicitis", "Endometriosis", "Ovarian cysts",
    "Pelvic inflammatory disease", "Prostatitis", "Polycystic ovary syndrome",
    "Gestational diabetes", "Pre-eclampsia", "Postnatal depression", "Perimenopause",
    "Low testosterone", "Addison's disease", "Cushing's syndrome", "Kidney disease",
    "Liver disease", "High cholesterol", "Atrial fibrillation", "Heart palpitations",
    "Low blood pressure", "Postural hypotension", "Blood clots", "Lymphoedema", "Sarcoidosis",
    "Sjogren's syndrome", "Scleroderma", "Vasculitis", "Guillain-Barre syndrome",
    "Motor neurone disease", "Myasthenia gravis", "Essential tremor", "Stroke",
    "Transient ischaemic attack", "Epilepsy", "Chronic pain", "Long COVID",
    "Post-viral fatigue", "Measles", "Chickenpox", "Hand, foot and mouth disease", "Tetanus",
    "Hepatitis", "Pneumonia", "Bronchitis", "COPD", "Obesity", "Weight gain", "Ageing",
    "Overheating", "Frostbite", "Tight clothing", "Heavy bags", "Badly fitting shoes",
    "Wet socks", "Chlorine", "Harsh soaps", "Perfume and fragrances", "Washing powder",
    "Nickel allergy", "Latex allergy", "Pollen", "Dust mites", "Pet dander", "Mould",
    "Dry air", "Air conditioning", "Central heating", "Contact lenses", "Hard water",
    "Noise exposure", "Loud music", "Shift work", "Jet lag", "Energy drinks", "Dieting",
    "Skipping meals", "Spicy food", "Chocolate", "Red wine", "Fizzy drinks", "Sugar",
    "Cold water swimming", "Air pollution", "Tight shoes",
]  # fmt: skip
INJURIES = ["{} injury", "Bruised {}", "{} strain"]
INJURED = (
    "knee hip ankle wrist elbow shoulder finger toe hand foot leg arm calf thigh heel neck jaw"
)
INFECTED = "eye ear skin chest throat gum nail sinus bladder kidney bone joint"
DRUGS = [
    "ibuprofen", "aspirin", "codeine", "antibiotics", "the contraceptive pill", "inhalers",
    "beta blockers", "ACE inhibitors", "metformin", "levothyroxine", "proton pump inhibitors",
    "sleeping tablets", "antipsychotics", "anticonvulsants", "chemotherapy", "opioid painkillers",
    "decongestants", "iron tablets", "HRT", "blood thinners",
]  # fmt: skip
# Names that stay capitalised inside a sentence.
PROPER = re.compile(
    r"^(Raynaud|Parkinson|Lyme|Achilles|Paget|Baker|Osgood|Sever|Morton|De Quervain|Dupuytren"
    r"|Meniere|Bell|Crohn|Addison|Cushing|Sjogren|Guillain|COPD)"
)

TOPICS = [
    "children's health", "teenagers", "older adults", "pregnancy", "sports injuries",
    "first aid", "mental health", "sleep", "stress", "exercise", "running", "diet",
    "hydration", "caffeine", "alcohol", "posture", "work and health", "travel health",
    "winter health", "summer health", "allergies", "infections", "skin care", "eye health",
    "dental health", "heart health", "digestion", "nerves", "vitamins", "medicines",
    "pharmacy advice", "self-care", "arthritis", "women's health", "men's health",
    "physiotherapy", "long-term conditions", "hormones", "circulation", "pain relief",
]  # fmt: skip

REMEDIES = [
    "rest", "a cold compress", "an ice pack wrapped in a towel", "a warm bath",
    "gentle stretching", "ibuprofen gel", "paracetamol", "compression socks",
    "a moisturising cream", "an antihistamine", "lubricating eye drops",
    "magnesium supplements", "physiotherapy", "a supportive pillow", "massage", "a heat pack",
    "regular breaks from screens", "drinking more water", "cutting down on caffeine",
    "a regular sleep routine", "supportive insoles", "a saltwater rinse",
]  # fmt: skip
ACTIVITIES = [
    "running", "walking", "cycling", "swimming", "lifting weights", "gardening", "yoga",
    "playing football", "dancing", "hiking", "typing", "driving", "long shifts on your feet",
    "sitting at a desk", "housework", "playing tennis",
]  # fmt: skip
DURATIONS = ["a few days", "a week", "two weeks", "three weeks", "a month", "six weeks"]
SHORTAGES = ["iron", "vitamin D", "vitamin B12", "magnesium", "potassium", "calcium", "folate"]

POOL_TEMPLATES = [
    "{Noun} in the {part} is usually harmless and often settles with rest.",
    "Most cases of {noun} in the {part} get better on their own within {duration}.",
    "{Cause} is a common reason for {noun} in the {part}.",
    "Keeping a diary of when {noun} starts can help a GP find the cause.",
    "{Remedy} can ease {noun} in the {part} for many people.",
    "Gentle stretching before and after {activity} can reduce {noun}.",
    "If {noun} lasts longer than {duration}, speak to a GP or pharmacist.",
    "Drinking enough water through the day prevents dehydration, which can make {noun} worse.",
    "Cutting down on caffeine and alcohol may help if {noun} is worse {context}.",
    "Stress and poor sleep can make {noun} in the {part} feel worse than it is.",
    "A pharmacist can suggest {remedy} to ease {noun}.",
    "{Noun} that comes with a fever, a rash or sudden weakness needs medical advice the same day.",
    "Regular, gentle exercise keeps the muscles and joints of the {part} strong.",
    "Supportive shoes and regular breaks from {activity} can help.",
    "Changes in the weather can make {noun} more noticeable for some people.",
    "{Cause} and {cause2} often occur together, and both can lead to {noun}.",
    "Children and teenagers can also get {noun} in the {part}, often after {activity}.",
    "Older adults notice {noun} in the {part} more often, as joints and muscles change with age.",
    "A physiotherapist can show you exercises that protect the {part} during {activity}.",
    "Painkillers such as paracetamol or ibuprofen help in the short term; check the leaflet first.",
    "Using {remedy} for short spells through the day can reduce {noun}.",
    "A blood test can check for low {shortage}, which can cause {noun}.",
    "A balanced diet with enough {shortage} supports healthy nerves and muscles.",
    "Some medicines list {noun} as a side effect, so check with a pharmacist "
    "if it started after a new prescription.",
    "Warming up properly before {activity} lowers the risk of strains.",
    "Being overweight puts extra load on the {part}, and losing a little weight often helps.",
    "{Noun} {context} is something many people notice at some point.",
    "Anxiety can make you more aware of {noun}, which can in turn make you more anxious.",
    "Smoking narrows the blood vessels and can make {noun} in the {part} last longer.",
    "Your GP may suggest an X-ray or a scan if {noun} follows a fall or an injury.",
]

TOPIC_OPENINGS = [
    "{Noun} in the {part} {context} is a common complaint, and in most cases it is not a "
    "sign of anything serious.",
    "Many people notice {noun} in their {part} {context}, especially after a busy week.",
    "{Noun} in the {part} {context} can come on suddenly or build up slowly over several days.",
    "Have you noticed {noun} in your {part} {context}? You are not alone.",
]
TOPIC_OUTLINES = [
    "In this article we look at the possible causes of {noun} in the {part}, answer common "
    "questions and explain when to get help.",
    "Below you will find the most likely causes of {noun} in the {part}, what you can do at "
    "home, and when to see a doctor.",
]
TOPIC_CLOSINGS = [
    "Most {noun} in the {part} is not serious and improves with simple self-care.",
    "If {noun} in the {part} keeps coming back or worries you, a GP can help find the cause.",
    "Looking after your general health, sleep and hydration is the best way to prevent {noun}.",
]
FAQ_INTROS = [
    "Here are answers to some common questions about {noun} in the {part}.",
    "Now, let us address some common questions about {noun} in the {part}.",
    "These are the questions people ask most often about {noun}.",
]
EXPLANATIONS = [
    "{Cause} can lead to {noun} in the {part}, especially {context}.",
    "When {cause} is the reason, {noun} tends to come and go over a few days.",
    "{Cause} affects muscles and nerves, which can show up as {noun} in the {part}.",
    "{Cause} is more likely if you also notice {noun} {context}.",
    "Treating {cause} usually eases {noun} in the {part} too.",
    "{Cause} is easy to overlook, but it often explains {noun} that comes and goes.",
]
QUESTIONS = [  # (question, possible first sentences of the answer)
    ("Can {cause} cause {noun} in the {part}?", ["Yes, it can.", "It can, though it is rare."]),
    ("Is {noun} in the {part} serious?", ["Usually not.", "In most cases it is not serious."]),
    ("How can I ease {noun} in my {part} at home?", ["Simple measures often help."]),
    ("When should I see a GP about {noun} in my {part}?", ["See a GP if it does not improve."]),
    ("Can children get {noun} in the {part}?", ["Yes, children can get it too."]),
    ("Does {remedy} help with {noun}?", ["It helps many people.", "It can help a little."]),
    ("How long does {noun} in the {part} usually last?", ["Often only a few days."]),
    ("Can stress make {noun} worse?", ["Yes, stress can make it worse."]),
    ("Is {noun} {context} normal?", ["It is common and usually harmless."]),
    ("What can I do to prevent {noun} {context}?", ["A few habits make a difference."]),
    ("Can caffeine make {noun} worse?", ["It can, for some people."]),
    ("Could {noun} in the {part} be a sign of {cause}?", ["Sometimes, but rarely."]),
    ("What tests might a GP do for {noun} in the {part}?", ["It depends on the cause."]),
    ("Can dehydration cause {noun}?", ["Yes, it is a common cause."]),
    ("Is {noun} in the {part} linked to {cause}?", ["It can be.", "Not usually."]),
    ("Should I rest or keep moving if I have {noun} in the {part}?", ["Gentle movement helps."]),
]
SEE_A_GP = [
    "it has not improved after two weeks of treating it at home",
    "it keeps coming back",
    "it stops you sleeping or working",
    "you also feel very tired or unwell",
    "you have lost weight without trying",
    "you are worried about it",
    "the swelling has not gone down after a week",
    "you have diabetes and notice changes in your feet",
    "painkillers from a pharmacy do not help",
    "it is getting slowly worse",
]
GET_ADVICE_NOW = [
    "you cannot put weight on it or move it",
    "the area is hot, red and swollen",
    "you have a high temperature or feel shivery",
    "the pain is severe or getting worse quickly",
    "you have numbness or tingling that does not go away",
    "it started after a fall or an injury",
    "you have a rash that does not fade when you press a glass on it",
]
CALL_EMERGENCY = [
    "you have chest pain that spreads to your arm, jaw or back",
    "you suddenly cannot move or feel part of your body",
    "your face, lips or tongue are swelling quickly",
    "you are struggling to breathe",
    "you have a sudden, severe headache unlike any before",
    "someone has collapsed and cannot be woken",
]

# Plain text renders to itself (inside <p>, or <li>): only words, spaces and
# punctuation that Markdown leaves alone, not starting with a list marker.
PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;:?'()%-]*")


def bench_slug(title):
    """The slug seeding gives the article with this title."""
    return PREFIX + slugify(title)


def html_of(text):
    """The rendered inline HTML of one sentence or list item (no <p> around it)."""
    return text if PLAIN.fullmatch(text) else _rendered_inline(text)


@lru_cache(maxsize=4096)
def _rendered_inline(text):
    html = render_markdown(text)
    return html.removeprefix("<p>").removesuffix("</p>\n")


def paragraphs(*paras):
    """(markdown, html) of paragraphs, each a list of sentences."""
    text = "\n\n".join(" ".join(sentences) for sentences in paras)
    html = "".join(f"<p>{' '.join(map(html_of, sentences))}</p>\n" for sentences in paras)
    return text, html


def bullet_list(items):
    text = "\n".join(f"- {item}" for item in items)
    html = "<ul>\n" + "".join(f"<li>{html_of(item)}</li>\n" for item in items) + "</ul>\n"
    return text, html


def capitalised(text):
    return text[:1].upper() + text[1:]


def in_sentence(name):
    """A cause's name as it reads mid-sentence: "Vitamin D deficiency" → "vitamin D deficiency"."""
    return name if PROPER.match(name) else name[:1].lower() + name[1:]


class Vocabulary:
    """Everything seeding draws on; the same for every seed, so runs share causes and tags."""

    def __init__(self):
        rng = random.Random("healthsite bench vocabulary")
        self.topics = [  # (part, symptom key) pairs that make sense
            (part, key)
            for part in PARTS
            for key in dict.fromkeys(part[3].split())  # unique, in order
        ]
        self.causes = list(dict.fromkeys(self._cause_names()))[:CAUSE_POOL_SIZE]
        self.tags = self._tag_names(rng)
        self.sentences = self._sentences(rng)

    def _cause_names(self):
        yield from CAUSES
        yield from (f"Side effects of {drug}" for drug in DRUGS)
        for pattern, part in itertools.product(INJURIES, INJURED.split()):
            yield capitalised(pattern.format(part))
        yield from (f"{capitalised(part)} infection" for part in INFECTED.split())
        yield from (f"Low {shortage}" for shortage in SHORTAGES)

    def _tag_names(self, rng):
        parts = [part[2] for part in PARTS]
        symptoms = sorted({noun.removeprefix("a ") for _, noun, _ in SYMPTOMS.values()})
        fixed = list(dict.fromkeys([*parts, *symptoms, *(f"{p} pain" for p in parts), *TOPICS]))
        combos = [f"{SYMPTOMS[key][2]} {part[0]}" for part, key in self.topics]
        rng.shuffle(combos)
        return list(dict.fromkeys(fixed + combos))[:TAG_POOL_SIZE]

    def _sentences(self, rng):
        """Variants of each pooled sentence, by template, with {part}, {noun}, {Noun} and
        {context} left for the article to fill.
        """
        per_template = SENTENCE_POOL_SIZE // len(POOL_TEMPLATES)
        groups = []
        for template in POOL_TEMPLATES:
            variants = set()
            for _ in range(per_template * 3):
                cause, cause2 = rng.sample(self.causes, 2)
                words = {
                    "cause": in_sentence(cause),
                    "cause2": in_sentence(cause2),
                    "remedy": rng.choice(REMEDIES),
                    "activity": rng.choice(ACTIVITIES),
                    "duration": rng.choice(DURATIONS),
                    "shortage": rng.choice(SHORTAGES),
                }
                variants.add(fill(template, words))
                if len(variants) == per_template:
                    break
            groups.append(sorted(variants))
        return groups

    def pooled(self, rng, n, words):
        """n sentences from the pool (n different templates), filled with the article's words."""
        return [rng.choice(group).format_map(words) for group in rng.sample(self.sentences, n)]


def fill_context(context, whose):
    _, i, am, my, _ = whose
    return context.format(I=i, am=am, my=my)


def fill(template, words):
    """Fill {slots} from `words`; {Slot} takes the word capitalised; unknown slots stay."""

    def word(match):
        name = match.group(1)
        value = words.get(name.lower())
        if value is None:
            return match.group(0)
        return capitalised(value) if name[0].isupper() else value

    return re.sub(r"\{(\w+)\}", word, template)


class Generator:
    """Article number k → its content, the same for the same seed whatever else exists."""

    def __init__(self, seed, vocabulary, today):
        self.seed = seed
        self.vocab = vocabulary
        self.shape = (len(vocabulary.topics), len(CONTEXTS), len(TITLES), len(WHOSE))
        self.capacity = math.prod(self.shape)
        rng = random.Random(f"healthsite bench titles {seed}")
        self.step = rng.randrange(self.capacity // 3, self.capacity)
        while math.gcd(self.step, self.capacity) != 1:
            self.step += 1
        self.offset = rng.randrange(self.capacity)
        # Publish times count back from midnight, so a day's runs agree.
        self.anchor = datetime.combine(today, datetime.min.time(), tzinfo=UTC)

    def _words(self, k):
        """Article k's title: (its body part, symptom key, template and words)."""
        if k >= self.capacity:
            raise CommandError(f"The title space holds {self.capacity:,} articles; that is all.")
        combination = (self.step * k + self.offset) % self.capacity
        topic_i, rest = divmod(combination, math.prod(self.shape[1:]))
        context_i, rest = divmod(rest, self.shape[2] * self.shape[3])
        title_i, whose_i = divmod(rest, self.shape[3])
        part, key = self.vocab.topics[topic_i]
        verb, noun, adjective = SYMPTOMS[key]
        whose = WHOSE[whose_i]
        context = fill_context(CONTEXTS[context_i], whose)
        words = {
            "part": part[0],
            "noun": noun,
            "verb": verb,
            "adjective": adjective,
            "context": context,
            "whose": whose[0],
            "audience": whose[4],
            "do": "do" if part[1] else "does",
        }
        return part, key, TITLES[title_i], words

    def title(self, k):
        _, _, template, words = self._words(k)
        return fill(template, words)

    def article(self, k):
        rng = random.Random(self.seed * 1_000_003 + k)
        part, key, template, words = self._words(k)
        noun, context = words["noun"], words["context"]
        title = fill(template, words)
        causes = rng.sample(self.vocab.causes, rng.randint(*CAUSES_PER_ARTICLE))
        words["Noun"] = capitalised(noun)

        def pooled(n):
            return self.vocab.pooled(rng, n, words)

        summary = paragraphs(
            [fill(rng.choice(TOPIC_OPENINGS), words), *pooled(2)],
            [*pooled(rng.randint(1, 2)), fill(rng.choice(TOPIC_OUTLINES), words)],
        )
        conclusion = paragraphs(
            [*pooled(rng.randint(1, 2)), fill(rng.choice(TOPIC_CLOSINGS), words)]
        )
        if reading := self._further_reading(k):
            conclusion = (f"{conclusion[0]}\n\n{reading}", conclusion[1] + render_markdown(reading))
        published = rng.random() < PUBLISHED_SHARE
        publish_at = self.anchor - timedelta(seconds=rng.randrange(YEARS_OF_ARTICLES * 365 * 86400))
        reviewed = min(publish_at.date() + timedelta(days=rng.randrange(60)), self.anchor.date())
        meta = (
            f"{capitalised(noun)} in the {part[0]} {context}? {len(causes)} possible causes, "
            f"including {in_sentence(causes[0])} and {in_sentence(causes[1])}, "
            "and when to get help."
        )
        return {
            "title": title,
            "slug": bench_slug(title),
            "subtitle": rng.choice(SUBTITLES),
            "summary": summary,
            "faq_intro": paragraphs([fill(rng.choice(FAQ_INTROS), words)]),
            "conclusion": conclusion,
            "seek_help_non_urgent": bullet_list(rng.sample(SEE_A_GP, rng.randint(2, 4))),
            "seek_help_urgent": bullet_list(rng.sample(GET_ADVICE_NOW, rng.randint(2, 3))),
            "seek_help_emergency": bullet_list(rng.sample(CALL_EMERGENCY, rng.randint(1, 3))),
            "meta_description": meta[:300],
            "status": Article.Status.PUBLISHED if published else Article.Status.DRAFT,
            "publish_at": publish_at if published else None,
            "last_reviewed": reviewed if published else None,
            "next_review_due": (
                reviewed + timedelta(days=settings.REVIEW_INTERVAL_DAYS) if published else None
            ),
            "causes": [self._explanation(rng, words, cause) for cause in causes],
            "questions": self._questions(rng, words, causes),
            "tags": self._tags(rng, part, key),
            "see_also": self._see_also(k),
        }

    def _further_reading(self, k):
        """Markdown linking article k to 1-3 articles seeded before it (none for the first),
        as editors link related pages; some of them are drafts, or were skipped for their
        title, and readers see those links as plain text. Drawn from an rng of its own, so
        the rest of the article is what it was before articles linked to each other."""
        if k == 0:
            return ""
        rng = random.Random(f"healthsite bench links {self.seed} {k}")
        targets = sorted(set(rng.choices(range(k), k=rng.randint(*LINKS_PER_ARTICLE))))
        links = []
        for target in targets:
            title = self.title(target)
            url = reverse("articles:detail", args=[bench_slug(title)])
            links.append(f"[{title}]({url})")
        *rest, last = links
        return "Read more: " + (f"{', '.join(rest)} and {last}" if rest else last)

    def _see_also(self, k):
        """Titles of the 1-3 articles seeded before article k (none for the first) that
        it pins as "See also" links, as the sample article's "See also" lines become.
        Some are drafts, or were skipped for their title: readers see only the pins to
        published articles. From an rng of its own, as `_further_reading`."""
        if k == 0:
            return []
        rng = random.Random(f"healthsite bench see also {self.seed} {k}")
        targets = rng.sample(range(k), min(k, rng.randint(*SEE_ALSO_PER_ARTICLE)))
        return [self.title(target) for target in targets]

    def _explanation(self, rng, words, cause):
        sentences = [fill(rng.choice(EXPLANATIONS), words | {"cause": in_sentence(cause)})]
        if rng.random() < 0.5:
            sentences += self.vocab.pooled(rng, 1, words)
        return (cause, *paragraphs(sentences))

    def _questions(self, rng, words, causes):
        questions = {}
        wanted = rng.randint(*QUESTIONS_PER_ARTICLE)
        while len(questions) < wanted:
            template, openers = rng.choice(QUESTIONS)
            extra = {"cause": in_sentence(rng.choice(causes)), "remedy": rng.choice(REMEDIES)}
            question = fill(template, words | extra)
            if question not in questions:
                sentences = [rng.choice(openers)]
                sentences += self.vocab.pooled(rng, rng.randint(1, 2), words)
                questions[question] = paragraphs(sentences)
        return [(question, *answer) for question, answer in questions.items()]

    def _tags(self, rng, part, key):
        available = set(self.vocab.tags)
        topical = [
            name
            for name in (
                part[2],
                f"{SYMPTOMS[key][2]} {part[0]}",
                f"{part[2]} pain",
                SYMPTOMS[key][1].removeprefix("a "),
            )
            if name in available
        ]
        wanted = rng.randint(*TAGS_PER_ARTICLE)
        chosen = topical[: rng.randint(1, min(3, wanted))]
        while len(chosen) < wanted:
            name = rng.choice(self.vocab.tags)
            if name not in chosen:
                chosen.append(name)
        return chosen


# -- writing ---------------------------------------------------------------------


def bench_articles():
    return Article.objects.filter(slug__startswith=PREFIX)


class Command(BaseCommand):
    help = (
        "Add N synthetic articles for benchmarks, each with 5-15 causes (from a shared pool of "
        f"{CAUSE_POOL_SIZE}), 5-15 questions, 2-6 tags (from {TAG_POOL_SIZE}) and 1-3 pinned "
        "See-also links to articles seeded before it; about 95% "
        "are published, over the past five years, the rest are drafts. Bench content has "
        f"slugs starting '{PREFIX}'. Each run adds articles after those already there, "
        "skipping any title another article has, so it never collides; --top-up adds only "
        "what is missing to make N bench articles in all; --reset first deletes the bench "
        "articles, and the bench causes and tags nothing else uses. The same --seed gives "
        "the same articles."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=int,
            required=True,
            metavar="N",
            help="How many articles to add; with --top-up, how many bench articles to end with.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Default: 1.")
        parser.add_argument(
            "--top-up",
            action="store_true",
            help="Make N the total number of bench articles: add only the missing ones.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=f"First delete the articles whose slugs start '{PREFIX}' (and what hangs off "
            "them), then the bench causes and tags nothing else uses.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Articles a transaction (2000)."
        )

    def handle(self, *args, articles, seed, top_up, reset, batch_size, **options):
        if articles < 0 or batch_size < 1:
            raise CommandError("--articles must be 0 or more, --batch-size 1 or more.")
        started = time.perf_counter()
        if reset:
            self._reset()
        existing = bench_articles().count()
        wanted = max(0, articles - existing) if top_up else articles
        if not wanted:
            self.stdout.write(f"Nothing to add: {existing:,} bench articles already.")
            return
        vocabulary = Vocabulary()
        generator = Generator(seed, vocabulary, timezone.now().date())
        with transaction.atomic():
            cause_ids = self._ensure_causes(vocabulary)
            tag_ids = self._ensure_tags(vocabulary)
        self.stdout.write(
            f"Adding {wanted:,} articles to {existing:,} (causes: {len(cause_ids)}, "
            f"tags: {len(tag_ids)}, seed {seed}) on {connection.vendor}…"
        )
        self.stages = {}
        numbers = itertools.count(existing)  # article k is the same, however runs are split
        totals = {"causes": 0, "questions": 0, "tags": 0}
        done, reported = 0, 0
        while done < wanted:
            with self._stage("generating"):
                specs = self._fresh_specs(generator, numbers, min(batch_size, wanted - done))
            with transaction.atomic():
                counts = self._write(specs, cause_ids, tag_ids)
            for name, count in counts.items():
                totals[name] += count
            done += len(specs)
            if done * 10 // wanted > reported or done == wanted:
                reported = done * 10 // wanted
                elapsed = time.perf_counter() - started
                self.stdout.write(f"  {done:,} / {wanted:,} articles, {elapsed:.1f} s")
        with self._stage("vacuum and analyze"):
            self._analyze()
        total = bench_articles().count()
        published = bench_articles().filter(status=Article.Status.PUBLISHED).count()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {done:,} articles ({totals['causes']:,} causes listed, "
                f"{totals['questions']:,} questions, {totals['tags']:,} tags) in {elapsed:.1f} s; "
                f"{total:,} bench articles in all, {published:,} published."
            )
        )
        self.stdout.write(
            "Time spent: " + ", ".join(f"{name} {secs:.1f} s" for name, secs in self.stages.items())
        )

    def _fresh_specs(self, generator, numbers, n):
        """The next n articles whose title and slug no article has yet."""
        specs = []
        while len(specs) < n:
            candidates = [generator.article(next(numbers)) for _ in range(n - len(specs))]
            titles = [spec["title"].lower() for spec in candidates]
            taken = set(
                Article.objects.annotate(lower=Lower("title"))
                .filter(lower__in=titles)
                .values_list("lower", flat=True)
            )
            taken |= set(
                Article.objects.filter(slug__in=[spec["slug"] for spec in candidates])
                .annotate(lower=Lower("title"))
                .values_list("lower", flat=True)
            )
            specs += [spec for spec in candidates if spec["title"].lower() not in taken]
        return specs

    @contextmanager
    def _stage(self, name):
        started = time.perf_counter()
        yield
        self.stages[name] = self.stages.get(name, 0) + time.perf_counter() - started

    def _write(self, specs, cause_ids, tag_ids):
        articles = []
        for spec in specs:
            fields = {
                name: value
                for name, value in spec.items()
                if name not in {"causes", "questions", "tags", "see_also"}
            }
            for name in Article.markdown_fields:
                fields[name], fields[f"{name}_html"] = fields[name]
            articles.append(Article(**fields))
        with self._stage("articles"):
            Article.objects.bulk_create(articles, batch_size=1000)
        now = timezone.now()
        causes, questions, tags = [], [], []
        for article, spec in zip(articles, specs, strict=True):
            published = published_at(article)  # what the tag index's receivers would set
            for position, (cause, text, html) in enumerate(spec["causes"], start=1):
                causes.append((article.pk, cause_ids[cause], position, text, html, published))
            for position, (question, text, html) in enumerate(spec["questions"], start=1):
                questions.append((article.pk, position, question, text, html, now, now))
            tags += [(article.pk, tag_ids[name], published) for name in spec["tags"]]
        with self._stage("causes, questions, tags"):
            self._insert(
                ArticleCause,
                "article cause position explanation explanation_html published_at",
                causes,
            )
            self._insert(
                FAQEntry, "article position question answer answer_html created updated", questions
            )
            self._insert(TaggedArticle, "content_object tag published_at", tags)
        with self._stage("see-also links"):
            self._pin_see_also(articles, specs)
        with self._stage("topic counts, article total"):
            recount({tag for _, tag, _ in tags})
            recount_articles()  # bulk_create sends no signals
        with self._stage("search vectors"):
            refresh_search_vectors([article.pk for article in articles])
        with self._stage("index of links"):
            index_links(article.pk for article in articles)
        return {"causes": len(causes), "questions": len(questions), "tags": len(tags)}

    def _pin_see_also(self, articles, specs):
        """The specs' pinned links, to the articles with those titles (by their slugs);
        a title no bench article has is kept, pending, as the admin would keep it."""
        slugs = {title: bench_slug(title) for spec in specs for title in spec["see_also"]}
        ids = dict(Article.objects.filter(slug__in=set(slugs.values())).values_list("slug", "pk"))
        links = []
        for article, spec in zip(articles, specs, strict=True):
            for position, title in enumerate(spec["see_also"], start=1):
                target = ids.get(slugs[title])
                links.append(
                    RelatedLink(
                        article=article, target_id=target, target_title=title, position=position
                    )
                )
        RelatedLink.objects.bulk_create(links, batch_size=1000)

    def _insert(self, model, names, rows):
        """Insert rows (tuples of `names`' values): COPY on PostgreSQL, bulk_create elsewhere."""
        fields = [model._meta.get_field(name) for name in names.split()]
        if connection.vendor != "postgresql":
            attnames = [field.attname for field in fields]
            model.objects.bulk_create(
                (model(**dict(zip(attnames, row, strict=True))) for row in rows),
                batch_size=1000,
            )
            return
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def _ensure_causes(self, vocabulary):
        """{name: id} for the cause pool, creating the causes no one has yet."""
        found = dict(
            Cause.objects.annotate(lower=Lower("name"))
            .filter(lower__in=[name.lower() for name in vocabulary.causes])
            .values_list("lower", "pk")
        )
        slugs_taken = set(
            Cause.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True)
        )
        missing = []
        for name in vocabulary.causes:
            if name.lower() not in found:
                description = paragraphs(
                    [
                        f"{name} is one of the common, usually treatable reasons for aches, "
                        "pains and other changes in how the body feels.",
                        *vocabulary.pooled(random.Random(name), 2, CAUSE_PAGE_WORDS),
                    ]
                )
                slug = free_slug(PREFIX + slugify(name), slugs_taken, Cause._meta.get_field("slug"))
                missing.append(
                    Cause(
                        name=name,
                        slug=slug,
                        description=description[0],
                        description_html=description[1],
                    )
                )
        Cause.objects.bulk_create(missing)
        found |= {cause.name.lower(): cause.pk for cause in missing}
        return {name: found[name.lower()] for name in vocabulary.causes}

    def _ensure_tags(self, vocabulary):
        found = dict(
            Tag.objects.annotate(lower=Lower("name"))
            .filter(lower__in=[name.lower() for name in vocabulary.tags])
            .values_list("lower", "pk")
        )
        slugs_taken = set(
            Tag.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True)
        )
        missing = [
            Tag(
                name=name,
                slug=free_slug(PREFIX + slugify(name), slugs_taken, Tag._meta.get_field("slug")),
            )
            for name in vocabulary.tags
            if name.lower() not in found
        ]
        Tag.objects.bulk_create(missing)
        if missing and missing[0].pk is None:  # a backend that returns no ids
            found = dict(
                Tag.objects.annotate(lower=Lower("name"))
                .filter(lower__in=[name.lower() for name in vocabulary.tags])
                .values_list("lower", "pk")
            )
        found |= {tag.name.lower(): tag.pk for tag in missing if tag.pk}
        return {name: found[name.lower()] for name in vocabulary.tags}

    def _reset(self):
        """Delete the bench articles and all that hangs off them, then unused bench causes, tags."""
        ids = list(bench_articles().values_list("pk", flat=True))
        for start in range(0, len(ids), 5000):
            with transaction.atomic():
                delete_quietly(Article.objects.filter(pk__in=ids[start : start + 5000]))
        Cause.objects.filter(slug__startswith=PREFIX, article_causes__isnull=True).delete()
        tags = Tag.objects.filter(slug__startswith=PREFIX)
        for relation in Tag._meta.related_objects:
            used = relation.related_model._base_manager.values(relation.field.attname)
            tags = tags.exclude(pk__in=used)
        tags.delete()
        rebuild_tag_index()  # the taggings went without signals
        self.stdout.write(f"Deleted {len(ids):,} bench articles.")

    def _analyze(self):
        """Fresh planner statistics; VACUUM too when allowed (not inside a transaction)."""
        if connection.vendor != "postgresql":
            return
        tables = [
            model._meta.db_table
            for model in (Article, ArticleCause, FAQEntry, TaggedArticle, Cause, Tag, InternalLink)
        ]
        # VACUUM also merges the GIN index's pending list and sets the visibility map.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {', '.join(tables)}")


def delete_quietly(queryset):
    """Delete these rows and what cascades from them, in SQL: no objects, no signals.

    Django's `delete()` loads every row that cascades and sends signals for
    each, and the receivers that keep search vectors and review fingerprints
    current would each run a query per cause, question and tag: hours for
    100,000 articles, for articles that are going away. This follows the same
    `on_delete` rules with one statement a table instead.
    """
    model = queryset.model
    relations = [  # as Django's Collector finds them, hidden ones included
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_one or field.one_to_many)
    ]
    for relation in relations:
        related = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": queryset}
        )
        on_delete = relation.on_delete
        if on_delete is models.CASCADE:
            delete_quietly(related)
        elif on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
        elif on_delete in (models.PROTECT, models.RESTRICT):
            if related.exists():
                raise CommandError(
                    f"{related.model._meta.verbose_name_plural} still refer to bench "
                    f"{model._meta.verbose_name_plural}; delete them first."
                )
        elif on_delete is not models.DO_NOTHING:
            raise CommandError(f"{relation} has an on_delete seed_bench cannot follow.")
    quote = connection.ops.quote_name
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} "
            f"IN ({sql})",
            params,
        )


def free_slug(slug, taken, field):
    """`slug`, or `slug-2`, `slug-3`… if taken; within the field's length. Adds it to `taken`."""
    slug = slug[: field.max_length]
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug[: field.max_length - len(str(n)) - 1]}-{n}"
    taken.add(candidate)
    return candidate
