"""Synthetic tweet texts that carry sentiment the way real tweets do.

The sample crowd needs texts that a lexicon teacher such as VADER reads *mostly* right,
with the quirks real timelines have: phrases of varied strength ("nice" versus
"absolutely love this!!!"), negation ("not bad at all", "not happy"), capitals and
exclamation marks for intensity, emoji, hashtags, @mentions, t.co links, ``RT @user:``
prefixes, informational neutral posts ("Doors open at 7pm at the north hall"), some
sarcasm and slang a lexicon misreads ("Great, another delay. Just great."), tweets
that are nothing but mentions and links, and short Spanish/Italian/French/Portuguese
posts that an English lexicon mostly cannot read.

Every function draws from an explicit ``numpy.random.Generator``; nothing here keeps
state between calls.
"""

from __future__ import annotations

import numpy as np

FOREIGN_LANGS: tuple[str, ...] = ("es", "it", "fr", "pt")

_TOPICS: tuple[str, ...] = (
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
_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
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
_HARD_PHRASES: dict[str, tuple[str, ...]] = {
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
_NEUTRAL_LEXICAL: tuple[str, ...] = (
    "Free entry until {time}",
    "Lost and found desk moved to the {place}",
    "Tickets for the charity run on {day}",
    "Emergency exit plan for the {place}",
    "No parking on {day}",
)

_NEUTRAL_PHRASES: tuple[str, ...] = (
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

_PLACES = ("north hall", "main entrance", "station", "library", "town hall", "east gate")
_CITIES = ("Milan", "Lyon", "Porto", "Madrid", "Leeds", "Graz", "Turin")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_EMOJI: dict[str, tuple[str, ...]] = {
    "positive": ("😍", "🎉", "😊", "❤️", "🥳", "😄", "👍"),
    "negative": ("😡", "😢", "💔", "😞", "😠", "😭"),
    "neutral": ("📍", "📅", "📷", "➡️", "🗓️", "🏢"),
}

_HASHTAGS: dict[str, tuple[str, ...]] = {
    "positive": ("#happy", "#blessed", "#love", "#fun", "#goodvibes", "#summer"),
    "negative": ("#fail", "#sad", "#ugh", "#angry", "#mondays", "#traffic"),
    "neutral": ("#news", "#update", "#event", "#travel", "#photo", "#schedule"),
}

_FOREIGN: dict[str, dict[str, tuple[str, ...]]] = {
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

_URL_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    """One element of ``options``, uniformly."""
    return options[int(rng.integers(len(options)))]


def short_url(rng: np.random.Generator) -> str:
    """A t.co-style link, e.g. ``https://t.co/aB3xK9qZ1m`` (10 random characters)."""
    chars = rng.choice(list(_URL_ALPHABET), size=10)
    return "https://t.co/" + "".join(chars)


def mention(rng: np.random.Generator, usernames: tuple[str, ...]) -> str:
    """``@`` plus one of ``usernames``."""
    return "@" + _pick(rng, usernames)


def _neutral_core(rng: np.random.Generator) -> str:
    """An informational sentence with its placeholders filled in (10 % with lexicon words)."""
    template = _pick(rng, _NEUTRAL_LEXICAL if rng.random() < 0.1 else _NEUTRAL_PHRASES)
    hour = int(rng.integers(7, 12))
    return template.format(
        time=f"{hour}pm" if rng.random() < 0.5 else f"{hour}:{int(rng.integers(0, 4)) * 15:02d}",
        place=_pick(rng, _PLACES),
        city=_pick(rng, _CITIES),
        day=_pick(rng, _DAYS),
        n=int(rng.integers(2, 40)),
    )


def _polar_core(sentiment: str, strength: int, rng: np.random.Generator) -> str:
    """A positive or negative phrase of ``strength`` 0-2, intensified when strong.

    One phrase in ten is sarcasm or slang that a lexicon reads the wrong way.
    """
    options = _HARD_PHRASES[sentiment] if rng.random() < 0.1 else _PHRASES[sentiment][strength]
    phrase = _pick(rng, options).format(t=_pick(rng, _TOPICS))
    phrase = phrase[0].upper() + phrase[1:]
    if strength == 2 and rng.random() < 0.4:
        phrase = phrase.upper()
    if strength == 0:
        return phrase + ("" if rng.random() < 0.5 else ".")
    return phrase + "!" * int(rng.integers(1, 4) if strength == 2 else rng.integers(0, 2))


def _emoji_tail(sentiment: str, strength: int, rng: np.random.Generator) -> str:
    """Zero to three emoji of the sentiment; polar tweets get more when strong."""
    n = int(rng.integers(0, 2 + strength)) if sentiment != "neutral" else int(rng.random() < 0.3)
    return "".join(_pick(rng, _EMOJI[sentiment]) for _ in range(n))


def english_text(sentiment: str, rng: np.random.Generator, usernames: tuple[str, ...]) -> str:
    """An English tweet whose wording carries ``sentiment`` (negative|neutral|positive).

    Strength is drawn per tweet (weak 35 %, medium 40 %, strong 25 %); neutral tweets are
    informational. About one polar tweet in ten is sarcasm/slang and one neutral tweet in
    ten contains lexicon words, so a lexicon teacher is right on most tweets, not all.
    Optional decorations: a leading @mention, emoji, 0-2 hashtags, a link.
    """
    if sentiment == "neutral":
        core, strength = _neutral_core(rng), 0
    else:
        strength = int(rng.choice(3, p=(0.35, 0.40, 0.25)))
        core = _polar_core(sentiment, strength, rng)
    parts = [mention(rng, usernames)] if rng.random() < 0.2 else []
    parts.append(core)
    emoji = _emoji_tail(sentiment, strength, rng)
    if emoji:
        parts.append(emoji)
    n_tags = int(rng.choice(3, p=(0.55, 0.3, 0.15)))
    parts.extend(_pick(rng, _HASHTAGS[sentiment]) for _ in range(n_tags))
    if rng.random() < 0.4:
        parts.append(short_url(rng))
    return " ".join(parts)


def foreign_text(sentiment: str, lang: str, rng: np.random.Generator) -> str:
    """A short tweet in ``lang`` (one of :data:`FOREIGN_LANGS`) carrying ``sentiment``.

    Sometimes followed by an emoji of the sentiment (which VADER *can* read) or a link.
    """
    parts = [_pick(rng, _FOREIGN[lang][sentiment])]
    if rng.random() < 0.3:
        parts.append(_pick(rng, _EMOJI[sentiment]))
    if rng.random() < 0.3:
        parts.append(short_url(rng))
    return " ".join(parts)


def mention_only_text(rng: np.random.Generator, usernames: tuple[str, ...]) -> str:
    """A tweet made only of 1-3 @mentions and/or 0-1 links, e.g. ``@anna @bob https://t.co/…``.

    At least one token is always present.
    """
    n_mentions = int(rng.integers(0, 4))
    parts = [mention(rng, usernames) for _ in range(n_mentions)]
    if n_mentions == 0 or rng.random() < 0.6:
        parts.append(short_url(rng))
    return " ".join(parts)


def retweet_text(original_author: str, original_text: str) -> str:
    """The text of a retweet: ``RT @author: <original text>``."""
    return f"RT @{original_author}: {original_text}"
