"""Word tables of the sample: tweet phrases by sentiment and strength, and user names."""

from __future__ import annotations

FOREIGN_LANGS: tuple[str, ...] = ("es", "it", "fr", "pt")

TOPICS: tuple[str, ...] = (
    "this view",
    "the concert",
    "today's match",
    "the new album",
    "this place",
    "our trip",
    "the market",
    "this morning",
    "the game last night",
    "the weekend",
    "the food here",
    "this weather",
    "the show",
    "my commute",
    "the service",
)

# Sentiment phrases by strength (0 weak, 1 medium, 2 strong); "{t}" is a topic.
PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "positive": (
        (
            "nice",
            "pretty good",
            "not bad at all",
            "{t} was nice",
            "kind of fun",
            "a good start",
            "glad we went",
        ),
        (
            "love {t}",
            "{t} was great fun",
            "such a beautiful day",
            "happy to be here",
            "{t} is wonderful",
            "really enjoyed {t}",
            "what a lovely evening",
        ),
        (
            "absolutely love {t}",
            "best day ever",
            "so happy and grateful",
            "{t} was amazing, just amazing",
            "awesome awesome awesome",
            "this made my whole week, thank you",
            "perfect. simply perfect.",
        ),
    ),
    "negative": (
        (
            "meh",
            "not great",
            "a bit disappointed",
            "kind of sad",
            "not happy",
            "{t} was boring",
            "not good, honestly",
        ),
        (
            "hate {t}",
            "terrible service again",
            "so sad today",
            "{t} was awful",
            "really annoyed with {t}",
            "what a mess",
            "feeling lonely and tired",
        ),
        (
            "worst day ever",
            "absolutely furious right now",
            "{t} is horrible and disgusting",
            "this is a disaster, I hate it",
            "so angry and upset",
            "heartbroken. just heartbroken.",
            "the worst, never again",
        ),
    ),
}

# Tweets a lexicon teacher misreads: sarcasm, slang, mixed feelings (true sentiment as key).
HARD_PHRASES: dict[str, tuple[str, ...]] = {
    "positive": (
        "This slaps",
        "lowkey obsessed with {t}",
        "sick view",
        "killing it tonight",
        "ngl {t} goes hard",
        "crazy good night",
    ),
    "negative": (
        "Great, another delay. Just great.",
        "Oh wonderful, the train is cancelled again",
        "Thanks a lot for nothing",
        "Love waiting 2 hours for a bus",
        "Nice venue but {t} was a letdown, such a waste",
    ),
}

# Informational tweets that happen to contain lexicon words.
NEUTRAL_LEXICAL: tuple[str, ...] = (
    "Free entry until {time}",
    "Lost and found desk moved to the {place}",
    "Tickets for the charity run on {day}",
    "Emergency exit plan for the {place}",
    "No parking on {day}",
)

# Informational tweets; placeholders {time}, {place}, {city}, {day}, {n}.
NEUTRAL_PHRASES: tuple[str, ...] = (
    "Doors open at {time} at the {place}",
    "New episode out now",
    "Meeting moved to room {n}",
    "Photo from the {n}rd floor",
    "Schedule for {day} below",
    "Train to {city} departs at {time}",
    "Updated map of the {place}",
    "Minutes from the board meeting on {day}",
    "Spring catalogue, page {n}",
    "Our office is on Main Street",
    "Registration closes on {day}",
    "Bus {n} now leaves from the {place}",
    "Lift maintenance on {day} at {time}",
    "Slides from the talk in {city}",
    "Parking at the {place} is on level {n}",
)

# Fillers of the neutral placeholders.
PLACES = ("north hall", "main entrance", "station", "library", "town hall", "east gate")
CITIES = ("Milan", "Lyon", "Porto", "Madrid", "Leeds", "Graz", "Turin")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

EMOJI: dict[str, tuple[str, ...]] = {
    "positive": ("😍", "🎉", "😊", "❤️", "🥳", "😄", "👍"),
    "negative": ("😡", "😢", "💔", "😞", "😠", "😭"),
    "neutral": ("📍", "📅", "📷", "➡️", "🗓️", "🏢"),
}

HASHTAGS: dict[str, tuple[str, ...]] = {
    "positive": ("#happy", "#blessed", "#love", "#fun", "#goodvibes", "#summer"),
    "negative": ("#fail", "#sad", "#ugh", "#angry", "#mondays", "#traffic"),
    "neutral": ("#news", "#update", "#event", "#travel", "#photo", "#schedule"),
}

# Short tweets per foreign language and sentiment.
FOREIGN: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "positive": ("¡Qué día tan bonito!", "Me encanta este lugar", "Increíble concierto", "Muy feliz hoy"),
        "negative": ("Qué día tan horrible", "Estoy muy triste", "Odio este tráfico", "Fatal el servicio"),
        "neutral": (
            "Abrimos a las 9",
            "Nuevo episodio disponible",
            "Horario del martes",
            "Reunión en la sala 3",
        ),
    },
    "it": {
        "positive": ("Che bella giornata!", "Adoro questo posto", "Concerto fantastico", "Felicissima oggi"),
        "negative": ("Che schifo di tempo", "Sono molto triste", "Odio il traffico", "Servizio pessimo"),
        "neutral": (
            "Apertura porte alle 19",
            "Nuovo episodio online",
            "Orari di martedì",
            "Riunione in sala 3",
        ),
    },
    "fr": {
        "positive": (
            "Quelle belle journée !",
            "J'adore cet endroit",
            "Concert génial",
            "Trop contente aujourd'hui",
        ),
        "negative": (
            "Quelle journée horrible",
            "Je suis vraiment triste",
            "Je déteste ce trafic",
            "Service nul",
        ),
        "neutral": (
            "Ouverture des portes à 19h",
            "Nouvel épisode disponible",
            "Horaires de mardi",
            "Réunion en salle 3",
        ),
    },
    "pt": {
        "positive": ("Que dia lindo!", "Adorei este lugar", "Show incrível", "Muito feliz hoje"),
        "negative": ("Que dia horrível", "Estou muito triste", "Odeio este trânsito", "Péssimo atendimento"),
        "neutral": (
            "Portas abrem às 19h",
            "Novo episódio disponível",
            "Horário de terça",
            "Reunião na sala 3",
        ),
    },
}

# Stems of user names (a suffix and digits are added).
FIRST_NAMES: tuple[str, ...] = (
    "anna",
    "bob",
    "carla",
    "dev",
    "elif",
    "femi",
    "gus",
    "hana",
    "ivan",
    "jo",
    "kai",
    "lena",
    "marco",
    "nina",
    "omar",
    "pia",
    "quinn",
    "rosa",
    "sam",
    "tom",
    "uma",
    "vic",
    "wen",
    "yuki",
)
