"""Demo content for Healthsite.

Pure data, read by the ``load_demo`` management command. All text is
original, written in plain English for a reading age of about 12.
Markdown is allowed in the fields documented in the command; there is no
raw HTML and there are no links.
"""

from textwrap import dedent

# ---------------------------------------------------------------------------
# Causes: shared, general descriptions. Articles add their own explanation.
# ---------------------------------------------------------------------------

CAUSES = {
    "Dehydration": {
        "description": (
            "Your body needs enough fluid to keep your muscles, nerves and brain "
            "working well. If you lose more water than you take in, through "
            "sweating, hot weather, illness or simply not drinking enough, you "
            "can feel tired or dizzy and get headaches or muscle problems."
        ),
        "tags": ["hydration", "nutrition"],
    },
    "Low magnesium": {
        "description": (
            "Magnesium is a mineral that helps your muscles and nerves work "
            "properly. Levels can drop because of diet, some medicines, heavy "
            "drinking or problems with the gut, and a simple blood test can "
            "check them."
        ),
        "tags": ["nutrition", "muscles"],
    },
    "Stress and anxiety": {
        "description": (
            "Feeling stressed or anxious puts your body on high alert, which "
            "can make muscles tense and nerves more jumpy. It often affects "
            "sleep too, which can make many symptoms worse."
        ),
        "tags": ["mental-health", "sleep"],
    },
    "Too much caffeine": {
        "description": (
            "Caffeine is found in coffee, tea, cola, energy drinks and some "
            "painkillers. Having a lot of it can make muscles twitchy and "
            "upset your sleep, and cutting down suddenly can cause headaches "
            "for a few days."
        ),
        "tags": ["diet", "sleep"],
    },
    "Lack of sleep": {
        "description": (
            "Not getting enough good-quality sleep leaves your body and brain "
            "tired. This can show up as twitches, headaches, low mood and "
            "finding it hard to concentrate."
        ),
        "tags": ["sleep"],
    },
    "Medication side effects": {
        "description": (
            "Some medicines can cause side effects such as muscle cramps, "
            "twitches or headaches. **Never stop a prescribed medicine on your "
            "own**: a pharmacist or GP can check whether a medicine might be "
            "the cause and what to do about it."
        ),
        "tags": ["medicines"],
    },
    "Tired or overworked muscles": {
        "description": (
            "Muscles that have worked hard, or have been held in one position "
            "for a long time, get tired. Tired muscles are more likely to "
            "twitch or cramp, especially in the hours after exercise."
        ),
        "tags": ["muscles", "exercise"],
    },
    "Alcohol": {
        "description": (
            "Alcohol makes you pass more urine, so it can leave you "
            "dehydrated, and it also disturbs your sleep. Drinking a lot, or "
            "drinking regularly, can affect your nerves and muscles and how "
            "you feel the next day."
        ),
        "tags": ["lifestyle", "hydration"],
    },
    "Trapped or irritated nerve": {
        "description": (
            "A nerve can be squeezed or irritated by nearby bones, a bulging "
            "disc in the spine, swelling or even tight shoes. This can cause "
            "tingling, numbness, twitching or pain along the path of the nerve."
        ),
        "tags": ["nerves", "back"],
    },
    "Pregnancy": {
        "description": (
            "Pregnancy changes your blood flow, your weight and the way your "
            "body handles fluid and minerals. Some symptoms, such as leg "
            "cramps, are common and usually go away after the baby is born."
        ),
        "tags": ["pregnancy"],
    },
    "Poor circulation": {
        "description": (
            "If the arteries in your legs become narrowed, your muscles may "
            "not get enough blood when they are working. This is more likely "
            "if you smoke, have diabetes or are older, and it can cause "
            "cramp-like pain when you walk."
        ),
        "tags": ["circulation", "legs", "heart"],
    },
    "Eye strain": {
        "description": (
            "Looking at screens, reading or driving for a long time without "
            "breaks can tire the muscles in and around your eyes. Glasses or "
            "contact lenses that are no longer right for you can make it worse."
        ),
        "tags": ["eyes", "screens"],
    },
    "Dry eyes": {
        "description": (
            "Dry eyes happen when your eyes do not make enough tears, or the "
            "tears dry up too quickly. Your eyes may feel gritty, sore or "
            "tired, and it is more common with screen use, air conditioning, "
            "contact lenses and getting older."
        ),
        "tags": ["eyes"],
    },
    "Sleep apnoea": {
        "description": (
            "Obstructive sleep apnoea is when the walls of your throat relax "
            "and narrow while you sleep, so your breathing keeps stopping and "
            "starting. Signs include loud snoring, gasping or choking noises "
            "and feeling very tired during the day."
        ),
        "tags": ["sleep", "breathing"],
    },
    "Teeth grinding": {
        "description": (
            "Many people grind their teeth or clench their jaw while they "
            "sleep, often without knowing. It can lead to jaw pain, worn teeth "
            "and headaches, and is often linked to stress."
        ),
        "tags": ["sleep", "teeth", "head"],
    },
    "Painkiller overuse": {
        "description": (
            "Taking painkillers for headaches on lots of days can, over time, "
            "cause headaches of its own. This is called a medication overuse "
            "headache, and it usually gets better once the painkillers are "
            "stopped with help from a GP."
        ),
        "tags": ["medicines", "head"],
    },
}

# ---------------------------------------------------------------------------
# Articles
# ---------------------------------------------------------------------------

ARTICLES = [
    # -----------------------------------------------------------------------
    {
        "title": "Why do my toes twitch?",
        "subtitle": "Common causes of toe twitching and when to get help",
        "summary": (
            "Toe twitching is when the small muscles in your toes or feet move "
            "on their own. It can feel like a flicker under the skin or a small "
            "jerk that you can see. It can be annoying, but it is very common "
            "and most of the time it is harmless.\n\n"
            "Twitches often come and go with things like tiredness, exercise, "
            "stress or caffeine. This page explains the usual causes, simple "
            "things that may help, and the signs that mean you should ask a "
            "doctor to take a look."
        ),
        "causes": [
            (
                "Tired or overworked muscles",
                "Walking, running or standing for a long time works the small "
                "muscles in your feet hard. It is common to notice twitching in "
                "your toes or the soles of your feet later that day or at night.",
            ),
            (
                "Dehydration",
                "Not drinking enough, especially after exercise or in hot "
                "weather, can make the muscles in your feet more likely to "
                "twitch or cramp. Drinking regularly through the day often helps.",
            ),
            (
                "Low magnesium",
                "Low magnesium can make nerves and muscles more excitable, which "
                "may cause twitching in the feet. A GP can arrange a blood test "
                "if they think this is possible, so **do not start supplements "
                "without advice**.",
            ),
            (
                "Too much caffeine",
                "Lots of coffee, tea or energy drinks can make muscles twitchy, "
                "including in your toes. Cutting down slowly over a week or two "
                "can help you see whether it makes a difference.",
            ),
            (
                "Stress and anxiety",
                "When you are stressed you may notice twitches more, and they "
                "can seem to get worse the more you worry about them. Relaxing "
                "activities and good sleep often help them settle.",
            ),
            (
                "Trapped or irritated nerve",
                "A nerve in your lower back, leg or foot can be pressed on by a "
                "problem in the spine or by tight shoes. This may cause "
                "twitching along with **tingling, numbness or pain** in the foot.",
            ),
            (
                "Medication side effects",
                "Some medicines, such as certain asthma inhalers, "
                "antidepressants and water tablets (diuretics), can cause muscle "
                "twitching in some people. Speak to a pharmacist or GP if the "
                "twitching started after you began a new medicine.",
            ),
        ],
        "faq": [
            (
                "Is toe twitching a sign of something serious?",
                "Usually not. Twitching on its own, without weakness, numbness "
                "or muscles getting smaller, is very common and almost always "
                "harmless. See a GP if it carries on or comes with other symptoms.",
            ),
            (
                "How long does toe twitching last?",
                "Most twitches come and go over a few days or weeks, and often "
                "get better when you rest, sleep well or cut down on caffeine. "
                "Some people get harmless twitches on and off for longer.",
            ),
            (
                "What can I do to stop my toes twitching?",
                "Try to get enough sleep, drink regularly, cut down on caffeine "
                "and alcohol, and wear comfortable shoes that do not squeeze "
                "your feet. Gently stretching your feet and calves, and finding "
                "ways to manage stress, can also help.",
            ),
            (
                "Is toe twitching the same as restless legs syndrome?",
                "Not quite. Restless legs syndrome is a strong urge to move your "
                "legs, often with an uncomfortable feeling, mainly in the "
                "evening or at night. A twitch is a muscle moving on its own "
                "without you wanting it to, and a GP can help tell them apart.",
            ),
            (
                "Could twitching be motor neurone disease?",
                "Motor neurone disease is rare, and twitching on its own is very "
                "unlikely to be caused by it. In that condition, twitching "
                "usually comes with **muscle weakness** or problems with things "
                "like gripping, walking, speaking or swallowing. If you are "
                "worried, talk to a GP.",
            ),
        ],
        "conclusion": (
            "Toe twitching is usually harmless and is often linked to tired "
            "muscles, not drinking enough, caffeine, stress or poor sleep. "
            "Simple changes, such as resting, drinking regularly and cutting "
            "down on caffeine, often help. If the twitching does not go away, "
            "keeps coming back, or comes with weakness, numbness or pain, see a "
            "GP so they can find out what is going on."
        ),
        "seek_help_non_urgent": dedent(
            """\
            - the twitching has lasted more than 2 weeks, or keeps coming back
            - the twitching is stopping you sleeping or getting on with your day
            - you also have numbness, tingling or pins and needles in your feet
            - the muscles in your foot or leg look smaller or feel weaker than before
            - you have diabetes and notice any new changes in your feet
            - the twitching started after you began a new medicine (do not stop it without advice)
            """
        ).strip(),
        "seek_help_urgent": dedent(
            """\
            - your foot or leg has suddenly become weak, for example you keep tripping or your foot slaps down when you walk
            - numbness or weakness in your foot or leg is spreading or getting worse quickly
            - you have bad back pain together with numbness or weakness in one or both legs
            - your foot is hot, red and swollen, or you have a wound on your foot that is not healing, especially if you have diabetes
            """
        ).strip(),
        "seek_help_emergency": dedent(
            """\
            - **sudden weakness or numbness on one side of the face or body**
            - your face has dropped on one side, or you have trouble speaking or understanding what people say
            - back pain with numbness around your bottom or genitals, or new problems controlling when you pee or poo
            - weakness in both legs that is getting worse quickly, especially if it is spreading up your body or affecting your breathing
            - a fit (seizure), especially if it is the first one
            """
        ).strip(),
        "meta_description": (
            "Toe twitching is common and usually harmless. Learn the likely "
            "causes, simple self-care tips and the signs that mean you should "
            "see a doctor."
        ),
        "tags": ["muscles", "nerves", "feet"],
        "see_also": ["Why do I get leg cramps at night?", "Why does my eyelid twitch?"],
    },
    # -----------------------------------------------------------------------
    {
        "title": "Why do I get leg cramps at night?",
        "subtitle": "What causes night-time leg cramps and how to ease them",
        "summary": (
            "A leg cramp is a sudden, tight and painful squeezing of a muscle, "
            "usually in the calf but sometimes in the foot or thigh. Night-time "
            "cramps can wake you up and may last from a few seconds to several "
            "minutes. Afterwards the muscle can feel sore for a while.\n\n"
            "Night cramps are very common, especially as people get older and "
            "during pregnancy. Often there is no clear cause, but some things "
            "make them more likely. Most people can manage them at home, but "
            "sometimes they are a sign that you should see a doctor."
        ),
        "causes": [
            (
                "Tired or overworked muscles",
                "Exercise, walking more than usual or standing for long periods "
                "can leave your leg muscles tired. Tired muscles are more likely "
                "to cramp later that night.",
            ),
            (
                "Dehydration",
                "Not drinking enough during the day, sweating a lot, or being "
                "ill with diarrhoea or vomiting may make cramps more likely. "
                "Drinking regularly through the day is a simple thing to try.",
            ),
            (
                "Low magnesium",
                "Low levels of magnesium, and sometimes of other minerals such "
                "as potassium or calcium, can make muscles more likely to "
                "cramp. A GP can check this with a blood test.",
            ),
            (
                "Medication side effects",
                "Some medicines, such as water tablets (diuretics) and statins "
                "used to lower cholesterol, can cause cramps in some people. "
                "**Do not stop taking a medicine** without talking to your GP "
                "or pharmacist first.",
            ),
            (
                "Pregnancy",
                "Leg cramps are common in pregnancy, especially in the later "
                "months. They usually go away after the baby is born, and a "
                "midwife or GP can help if they are troubling you.",
            ),
            (
                "Alcohol",
                "Drinking alcohol in the evening can leave you dehydrated "
                "overnight. Regular heavy drinking can also affect nerves and "
                "muscles over time, which may make cramps more common.",
            ),
            (
                "Poor circulation",
                "If the arteries in your legs are narrowed, you may get "
                "cramp-like pain in your calves when you walk that eases when "
                "you rest. Pain in your legs or feet at night can mean it is "
                "getting worse, so see a GP.",
            ),
        ],
        "faq": [
            (
                "How do I stop a leg cramp when it happens?",
                "Gently stretch the muscle, for example by straightening your "
                "leg and pulling your toes up towards your knee, or by standing "
                "up and walking around. Rubbing the muscle can also help, and "
                "the cramp usually eases within a few minutes.",
            ),
            (
                "Can I stop leg cramps from happening?",
                "Regular gentle calf stretches, especially before bed, may help "
                "some people. It can also help to drink regularly during the "
                "day, cut down on alcohol and wear comfortable, supportive shoes.",
            ),
            (
                "Should I take magnesium or other remedies for cramps?",
                "Talk to a GP or pharmacist first. A blood test can show whether "
                "your levels are low, and supplements and some medicines can "
                "cause side effects or affect other medicines you take.",
            ),
            (
                "Is it normal for my leg to hurt the next day?",
                "Yes, the muscle can feel sore or tender for up to a day after a "
                "strong cramp. If the pain does not ease, or your leg becomes "
                "**swollen, hot or red**, get medical advice.",
            ),
            (
                "Are leg cramps more common as you get older?",
                "Yes. Night cramps become more common with age, partly because "
                "muscles slowly get shorter and weaker. Staying active and "
                "stretching regularly can help.",
            ),
        ],
        "conclusion": (
            "Night-time leg cramps are painful but usually harmless, and they "
            "often settle with gentle stretching, staying active and drinking "
            "enough during the day. Sometimes they are linked to medicines, "
            "pregnancy or problems with circulation, so it is worth seeing a GP "
            "if they happen often, disturb your sleep or come with other "
            "symptoms. Get help quickly if your leg becomes hot, swollen and "
            "painful."
        ),
        "seek_help_non_urgent": dedent(
            """\
            - cramps happen often or keep waking you up
            - a cramp lasts longer than about 10 minutes
            - you also have numbness, tingling or swelling in your legs
            - you get pain in your calves when you walk that eases when you rest
            - your leg muscles feel weak or look smaller than before
            - you think a medicine might be causing your cramps
            - you are pregnant and cramps are troubling you (you can also speak to your midwife)
            """
        ).strip(),
        "seek_help_urgent": dedent(
            """\
            - **one leg (usually the calf) is hot, swollen, red or darker than usual, and painful**, which can be a sign of a blood clot
            - your muscles are very painful and weak and your pee is dark brown, especially after hard exercise, a fall or an illness
            - you have pain in your leg or foot at night or at rest that does not go away
            - the skin on your leg or foot is changing colour or you have a sore that is not healing
            """
        ).strip(),
        "seek_help_emergency": dedent(
            """\
            - **pain and swelling in one leg together with breathlessness or chest pain**
            - you suddenly have chest pain or find it hard to breathe
            - your leg or foot has suddenly become cold, pale or blue, numb and very painful
            - **sudden weakness or numbness on one side of the face or body**, or trouble speaking
            """
        ).strip(),
        "meta_description": (
            "Night-time leg cramps are common and usually harmless. Find out "
            "what causes them, how to ease a cramp and when to get medical help."
        ),
        "tags": ["muscles", "legs", "sleep"],
        "see_also": ["Why do my toes twitch?", "Why do I wake up with a headache?"],
    },
    # -----------------------------------------------------------------------
    {
        "title": "Why does my eyelid twitch?",
        "subtitle": "Common reasons for a twitching eyelid and when to see a doctor",
        "summary": (
            "An eyelid twitch is when the muscle in your upper or lower eyelid "
            "flickers or jumps on its own. It usually affects one eye and can "
            "come and go for a few days or even a few weeks. Other people often "
            "cannot see it, even though it can feel very obvious to you.\n\n"
            "Most eyelid twitches are harmless and settle on their own. They "
            "are often linked to everyday things such as tiredness, stress, "
            "caffeine or screen use. This page explains the common causes and "
            "the rare signs that mean you should get checked."
        ),
        "causes": [
            (
                "Stress and anxiety",
                "Stress is one of the most common triggers. Twitching often "
                "starts during a busy or worrying time and fades as things calm "
                "down.",
            ),
            (
                "Lack of sleep",
                "Being tired is closely linked to eyelid twitching. A few good "
                "nights of sleep are often enough to make it settle.",
            ),
            (
                "Too much caffeine",
                "Coffee, tea, cola and energy drinks can make the eyelid muscle "
                "more likely to twitch. Try cutting down slowly to see if it helps.",
            ),
            (
                "Eye strain",
                "Looking at a screen or reading for long periods can tire your "
                "eyes. Take regular breaks, and have an eye test if you think "
                "you might need glasses or a new prescription.",
            ),
            (
                "Dry eyes",
                "Dry, gritty eyes can irritate the eyelid and set off a twitch. "
                "Remembering to blink, taking screen breaks and using "
                "lubricating eye drops from a pharmacy may help.",
            ),
            (
                "Alcohol",
                "Drinking alcohol can trigger eyelid twitching in some people, "
                "especially if it also affects your sleep. Cutting down may help.",
            ),
            (
                "Medication side effects",
                "Occasionally, some medicines, including some used for mental "
                "health conditions, can cause eyelid twitching or other small "
                "muscle movements. A pharmacist or GP can tell you whether this "
                "is likely.",
            ),
        ],
        "faq": [
            (
                "How long does an eyelid twitch last?",
                "Each twitch usually lasts a few seconds, and they tend to come "
                "and go for a few days. Sometimes they carry on for a few weeks, "
                "but they almost always settle on their own.",
            ),
            (
                "Can I do anything to stop it?",
                "Try to get more sleep, cut down on caffeine and alcohol, take "
                "regular breaks from screens and find ways to relax. Holding a "
                "warm, clean flannel over your closed eye for a few minutes may "
                "also feel soothing.",
            ),
            (
                "Is a twitching eyelid a sign of a stroke?",
                "A twitch on its own is not a sign of a stroke. A stroke causes "
                "**sudden drooping or weakness on one side of the face**, often "
                "with a weak arm or trouble speaking, and you should call "
                "emergency services straight away if this happens.",
            ),
            (
                "What if my eyelids keep closing?",
                "If your eyelids keep squeezing shut so it is hard to keep your "
                "eyes open, or the twitching spreads to other parts of your "
                "face, it may be a condition such as blepharospasm or hemifacial "
                "spasm. These are not dangerous but they can be treated, so see "
                "a GP.",
            ),
            (
                "Do I need an eye test?",
                "If you have tired eyes, headaches after reading or blurred "
                "vision, an eye test at an opticians is a good idea. Glasses "
                "that are out of date can cause eye strain, which can trigger "
                "twitching.",
            ),
        ],
        "conclusion": (
            "A twitching eyelid is very common and almost always harmless. It "
            "is usually your body's way of telling you that you are tired, "
            "stressed or having too much caffeine, and it tends to settle once "
            "you rest, take screen breaks and look after your eyes. See a GP if "
            "it lasts more than a couple of weeks, makes your eye close, or "
            "spreads to other parts of your face."
        ),
        "seek_help_non_urgent": dedent(
            """\
            - the twitching has not stopped after 2 weeks
            - your eyelid closes completely when it twitches, or it is hard to open your eye
            - the twitching spreads to other parts of your face
            - your upper eyelid is drooping
            - your eye is red, swollen or sticky
            - the twitching started after you began a new medicine (do not stop it without advice)
            """
        ).strip(),
        "seek_help_urgent": dedent(
            """\
            - your eye is red and painful, especially if your sight is blurred or light hurts your eyes
            - you have new double vision or your eyesight has changed recently
            - one side of your face feels weak or has started to droop and you have no other symptoms (if you are not sure, call emergency services)
            - you have hurt your eye and it is still painful or your sight is affected
            """
        ).strip(),
        "seek_help_emergency": dedent(
            """\
            - **your face has dropped on one side**, you cannot smile properly, or one arm is weak
            - you suddenly have trouble speaking or understanding what people say
            - you suddenly lose some or all of the sight in one or both eyes
            - you have a serious eye injury, such as a chemical splash or something sharp going into your eye
            """
        ).strip(),
        "meta_description": (
            "Eyelid twitching is usually harmless and linked to stress, "
            "tiredness or caffeine. Learn the common causes and when to see a "
            "doctor."
        ),
        "tags": ["eyes", "muscles", "nerves"],
        "see_also": ["Why do my toes twitch?", "Why do I wake up with a headache?"],
    },
    # -----------------------------------------------------------------------
    {
        "title": "Why do I wake up with a headache?",
        "subtitle": "Common causes of morning headaches and when to get help",
        "summary": (
            "Waking up with a headache is a frustrating way to start the day. "
            "A morning headache can feel like a dull ache or pressure across "
            "your forehead, at the sides of your head or at the back of your "
            "neck, and it often fades within a few hours of getting up.\n\n"
            "Most morning headaches are linked to sleep, alcohol, caffeine or "
            "habits such as grinding your teeth at night, and they can get "
            "better with simple changes. Sometimes they point to something that "
            "needs checking, such as sleep apnoea or taking painkillers too often."
        ),
        "causes": [
            (
                "Lack of sleep",
                "Too little sleep, broken sleep or a very irregular sleep "
                "pattern can all lead to headaches when you wake up. Some people "
                "also get them after sleeping much longer than usual.",
            ),
            (
                "Sleep apnoea",
                "If your breathing keeps stopping and starting in the night, you "
                "may wake with a headache and feel tired all day, even after a "
                "full night in bed. Someone you live with may notice loud "
                "snoring, pauses in your breathing or gasping.",
            ),
            (
                "Teeth grinding",
                "Clenching your jaw or grinding your teeth while you sleep can "
                "cause a headache around your temples and an aching jaw. A "
                "dentist can check for signs such as worn teeth.",
            ),
            (
                "Alcohol",
                "Drinking alcohol in the evening can cause a headache the next "
                "morning, partly by making you dehydrated and partly by "
                "disturbing your sleep.",
            ),
            (
                "Too much caffeine",
                "If you usually have a lot of caffeine, your body can miss it "
                "overnight, so you wake with a headache that eases after your "
                "first drink. Cutting down slowly over a few weeks can break "
                "this cycle.",
            ),
            (
                "Painkiller overuse",
                "Taking painkillers on lots of days can cause headaches that are "
                "often worse in the morning, when the last dose has worn off. "
                "**Speak to a GP** before stopping, as they can help you do it "
                "safely.",
            ),
            (
                "Dehydration",
                "You do not drink anything while you sleep, so if you went to "
                "bed a little dehydrated you may wake up with a headache. "
                "Having drinks regularly through the day can help.",
            ),
            (
                "Stress and anxiety",
                "Stress can cause tight muscles in your neck, shoulders and jaw "
                "and can disturb your sleep. Both can lead to tension-type "
                "headaches in the morning.",
            ),
        ],
        "faq": [
            (
                "Are morning headaches a sign of a brain tumour?",
                "This is a common worry, but a brain tumour is a very rare cause "
                "of headaches. See a GP if your headaches are getting worse, "
                "make you sick, or come with changes such as weakness, problems "
                "with your sight or speech, or changes in behaviour.",
            ),
            (
                "Which painkiller should I take?",
                "A pharmacist can help you choose a painkiller that is suitable "
                "for you. Always follow the instructions in the leaflet, and "
                "speak to a GP if you find you need painkillers for headaches "
                "on most days.",
            ),
            (
                "Can my pillow or sleeping position cause headaches?",
                "Sleeping with your neck bent at an awkward angle can strain the "
                "muscles in your neck and lead to a headache. A pillow that "
                "keeps your head in line with your spine may help.",
            ),
            (
                "How can I tell if I have sleep apnoea?",
                "Signs include loud snoring, gasping or choking in your sleep, "
                "waking up often to pee, and feeling very sleepy during the day. "
                "Ask someone you live with whether they have noticed your "
                "breathing stop, and see a GP if you think you might have it.",
            ),
            (
                "Could something in my home be causing my headaches?",
                "Rarely, headaches that are worse in the morning and get better "
                "when you leave home can be a sign of **carbon monoxide "
                "poisoning** from a faulty boiler, fire or cooker. This is more "
                "likely if other people or pets at home are unwell too. Get "
                "into fresh air, get medical advice and have the appliance "
                "checked straight away.",
            ),
        ],
        "conclusion": (
            "Waking up with a headache now and then is common and is usually "
            "linked to sleep, alcohol, caffeine, stress or not drinking enough. "
            "Regular sleep, fewer late drinks, cutting down slowly on caffeine "
            "and managing stress can all help. If you get morning headaches "
            "most days, snore loudly, grind your teeth or rely on painkillers, "
            "see a GP, and get help quickly if you notice any of the warning "
            "signs below."
        ),
        "seek_help_non_urgent": dedent(
            """\
            - you wake up with a headache on most mornings, or they keep coming back
            - painkillers do not help, or you find you need them on most days
            - you snore loudly, someone has seen you stop breathing in your sleep, or you feel very sleepy during the day
            - your jaw aches in the morning or you think you grind your teeth (a dentist can help too)
            - your headaches are affecting your mood, work or school
            """
        ).strip(),
        "seek_help_urgent": dedent(
            """\
            - your headaches keep coming back, painkillers do not help and they are getting worse
            - you wake with a headache and are being sick, especially if this has been getting worse over days or weeks
            - you have pain when chewing, tenderness around your temples or blurred or double vision, especially if you are over 50
            - your headache started after coughing, sneezing, bending or straining
            - you are pregnant or have recently had a baby and have a bad headache, problems with your sight or sudden swelling of your face, hands or feet
            - you think your headaches could be caused by carbon monoxide (get into fresh air first)
            """
        ).strip(),
        "seek_help_emergency": dedent(
            """\
            - **a sudden, very severe headache, the worst you have ever had**, that comes on within seconds or minutes
            - a headache with a stiff neck, a high temperature, being sick, light hurting your eyes or a rash that does not fade when you press a glass on it
            - **sudden weakness or numbness on one side of the face or body**, slurred speech or confusion
            - a fit (seizure), or you suddenly pass out
            - a headache after a head injury, especially if you keep being sick, feel very drowsy or are confused
            - you suddenly lose your sight, or you have a very painful red eye with blurred vision
            - you have a headache and feel confused, very drowsy or faint and think it could be carbon monoxide
            """
        ).strip(),
        "meta_description": (
            "Waking up with a headache is common. Learn the usual causes, from "
            "poor sleep to teeth grinding, and the warning signs that need "
            "urgent help."
        ),
        "tags": ["head", "sleep", "pain"],
        "see_also": ["Why does my eyelid twitch?", "Why do I get leg cramps at night?"],
    },
]

# ---------------------------------------------------------------------------
# Site-wide questions (not tied to an article)
# ---------------------------------------------------------------------------

SITE_FAQ = [
    (
        "How are articles reviewed?",
        "Each article is written in plain English and checked against current "
        "guidance from national health services before it is published. "
        "Articles are looked at again at least once a year, or sooner if the "
        "advice changes, and the date of the last review is shown on each page.",
        ["about"],
    ),
    (
        "Can this site tell me what is wrong with me?",
        "No. Our articles explain common causes and simple things you can do, "
        "but **they cannot diagnose you**. If you are worried about a symptom, "
        "speak to a pharmacist, GP or other health professional who can ask "
        "about your health and examine you.",
        ["about", "using-the-site"],
    ),
    (
        "What should I do in an emergency?",
        "Do not search for answers online if someone is seriously ill or "
        "injured. **Call emergency services straight away** if you think a "
        "life may be at risk, for example with chest pain, signs of a stroke, "
        "severe bleeding, difficulty breathing or if someone has collapsed.",
        ["emergencies", "safety"],
    ),
    (
        "What do the three 'when to get help' sections mean?",
        "Each article sorts warning signs into three groups. **See a GP** "
        "means book a normal appointment with your GP or family doctor. **Get "
        "urgent advice today** means contact an urgent care service or health "
        "advice line the same day. **Call emergency services** means the "
        "problem could be life-threatening and you should call now.",
        ["using-the-site", "safety"],
    ),
]
