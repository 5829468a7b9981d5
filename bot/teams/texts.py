"""Everything the bot says in its own words, in Swedish and English.

Only descriptions of what the bot does live here: what the city's documents say always comes from the
engine, with a citation.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.types import Language


@dataclass(frozen=True)
class Texts:
    welcome_title: str
    welcome_intro: str
    welcome_documents: str
    welcome_examples: str
    welcome_feedback: str
    welcome_commands: str
    get_started_button: str
    """The message the welcome card's button sends: it is also the command."""
    help_title: str
    help_body: str
    sources_title: str
    sources_empty: str
    passages: str
    about_title: str
    about_body: str
    abstained_suggestions: str
    ask_next: str
    """Above the questions to ask next, after an answer in a 1:1 chat."""
    empty_message: str
    too_long: str
    rate_limited: str
    attachment_only: str
    error: str
    feedback_thanks: str
    took_too_long: str
    search_hint: str
    search_no_results: str
    quote_from: str
    undated: str


SWEDISH = Texts(
    welcome_title="Hej! Jag är Strategibot",
    welcome_intro=(
        "Jag svarar på frågor om Stockholms stads internationella arbete utifrån de styrdokument som finns i "
        "min kunskapsbas. Varje svar hänvisar till dokumentet och avsnittet det bygger på, så att du kan "
        "kontrollera det. Hittar jag inget svar i dokumenten säger jag det."
    ),
    welcome_documents="Det här är dokumenten jag kan svara utifrån:",
    welcome_examples="Prova att fråga:",
    welcome_feedback=(
        "Tumme upp eller ned under ett svar berättar för oss om det hjälpte; du kan också skriva en kommentar. "
        "Vi sparar din reaktion, kommentaren, frågan och svaret, men inte ditt namn."
    ),
    welcome_commands=(
        "Ny som internationell kontaktperson? Skriv **kom igång**. Skriv **hjälp**, **källor** eller **om** när "
        "du vill. I kanaler och gruppchattar: @-nämn mig."
    ),
    get_started_button="Kom igång",
    help_title="Så använder du Strategibot",
    help_body=(
        "- Ställ en fråga med egna ord, på svenska eller engelska. Följdfrågor förstår jag i samma chatt.\n"
        "- Siffrorna [1], [2] i svaret visar källan: håll muspekaren över dem för att se citatet.\n"
        "- I en kanal eller gruppchatt: skriv @Strategibot före frågan.\n"
        "- Under ett möte: sök i dokumenten från skrivfältet (Strategibot under +) och infoga ett citat.\n"
        "- **källor** visar dokumenten jag känner till, **om** berättar vad jag är.\n"
        "- Tumme upp eller ned under ett svar: din återkoppling förbättrar tjänsten."
    ),
    sources_title="Dokument i kunskapsbasen",
    sources_empty="Kunskapsbasen är tom just nu.",
    passages="avsnitt",
    about_title="Om Strategibot",
    about_body=(
        "Strategibot söker i Stockholms stads styrdokument om internationellt arbete och svarar med citat "
        "ur dem. Svaren är AI-genererade och kan vara ofullständiga: kontrollera källan innan du fattar "
        "beslut. Svaret är aldrig ett nytt ställningstagande från staden."
    ),
    abstained_suggestions="Du kan prova att fråga så här:",
    ask_next="Fråga vidare:",
    empty_message="Jag fick inget meddelande att svara på. Skriv en fråga, eller **hjälp** för att se vad jag kan.",
    too_long=(
        "Meddelandet är för långt för mig ({length} tecken, högst {limit}). Skriv frågan kortare, gärna i en "
        "eller två meningar."
    ),
    rate_limited=(
        "Du har ställt många frågor på kort tid, så jag tar en liten paus. Fråga igen om {seconds} sekunder."
    ),
    attachment_only="Jag kan inte läsa bifogade filer eller bilder. Skriv din fråga som text.",
    error="Något gick fel när jag skulle svara. Försök igen om en stund. (Spårnings-id: {trace_id})",
    feedback_thanks="Tack för din återkoppling!",
    took_too_long="Förlåt, det tog för lång tid att ta fram ett svar just nu. Försök igen om en stund.",
    search_hint="Skriv några ord för att söka i dokumenten.",
    search_no_results="Inga träffar för ”{query}”.",
    quote_from="Ur",
    undated="odaterat",
)

ENGLISH = Texts(
    welcome_title="Hi! I'm Strategibot",
    welcome_intro=(
        "I answer questions about the City of Stockholm's international work from the governing documents in "
        "my knowledge base. Every answer points to the document and section it rests on, so you can check "
        "it. When the documents don't answer a question, I say so."
    ),
    welcome_documents="These are the documents I answer from:",
    welcome_examples="Try asking:",
    welcome_feedback=(
        "Thumbs up or down under an answer tells us whether it helped; you can add a comment too. We keep your "
        "reaction, the comment, the question and the answer, but not your name."
    ),
    welcome_commands=(
        "New international contact person? Type **get started**. Type **help**, **sources** or **about** at any "
        "time. In channels and group chats: @mention me."
    ),
    get_started_button="Get started",
    help_title="How to use Strategibot",
    help_body=(
        "- Ask a question in your own words, in English or Swedish. I understand follow-ups in the same chat.\n"
        "- The numbers [1], [2] in an answer show its source: hover over them to see the quote.\n"
        "- In a channel or group chat: type @Strategibot before the question.\n"
        "- In a meeting: search the documents from the compose box (Strategibot under +) and insert a quote.\n"
        "- **sources** lists the documents I know, **about** tells what I am.\n"
        "- Thumbs up or down under an answer: your feedback improves the service."
    ),
    sources_title="Documents in the knowledge base",
    sources_empty="The knowledge base is empty at the moment.",
    passages="passages",
    about_title="About Strategibot",
    about_body=(
        "Strategibot searches the City of Stockholm's governing documents on international work and answers "
        "with quotes from them. Answers are AI generated and may be incomplete: check the source before you "
        "decide. An answer is never a new position of the city."
    ),
    abstained_suggestions="You could try asking:",
    ask_next="You could also ask:",
    empty_message="I didn't get a message to answer. Type a question, or **help** to see what I can do.",
    too_long=(
        "That message is too long for me ({length} characters, at most {limit}). Please ask in a sentence or two."
    ),
    rate_limited="You've asked a lot of questions in a short time, so I'm taking a short break. Please ask again "
    "in {seconds} seconds.",
    attachment_only="I can't read attached files or images. Please type your question.",
    error="Something went wrong while I was answering. Please try again in a moment. (Trace id: {trace_id})",
    feedback_thanks="Thank you for your feedback!",
    took_too_long="Sorry, finding an answer took too long just now. Please try again in a moment.",
    search_hint="Type a few words to search the documents.",
    search_no_results="No results for “{query}”.",
    quote_from="From",
    undated="undated",
)


def texts_for(language: Language) -> Texts:
    return ENGLISH if language == "en" else SWEDISH


def language_from_locale(locale: str | None) -> Language:
    """Teams sends the user's client locale (en-US, sv-SE, ...): English only when it says so."""
    return "en" if (locale or "").lower().startswith("en") else "sv"
