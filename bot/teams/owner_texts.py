"""What the bot says to content owners, in Swedish and English (documents, uploads, the report)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.types import Language


@dataclass(frozen=True)
class OwnerTexts:
    not_owner: str
    personal_only: str
    no_changes_here: str
    documents_title: str
    documents_page: str
    documents_empty: str
    current: str
    superseded: str
    superseded_by: str
    excerpt: str
    bundled: str
    indexed: str
    open_document: str
    edit: str
    supersede: str
    mark_current: str
    remove: str
    previous: str
    next: str
    receiving: str
    working: str
    read_title: str
    read_facts: str
    no_date_found: str
    warnings: dict[str, str]
    refused: dict[str, str]
    download_refused: str
    download_failed: str
    ingest_failed: str
    edit_title: str
    field_labels: dict[str, str]
    save: str
    saved: str
    supersede_title: str
    supersede_choose: str
    confirm_supersede: str
    superseded_done: str
    remove_title: str
    remove_body: str
    confirm_remove: str
    cancel: str
    cancelled: str
    removed_done: str
    report_title: str
    report_since: str
    report_empty: str
    report_closest: str
    report_count: str
    report_no_section: str
    report_unanswered: str
    report_unsure: str
    report_disliked: str
    report_comment: str
    report_more_items: str
    report_more_topics: str
    help_owner: str


SWEDISH = OwnerTexts(
    not_owner=(
        "Det här kan bara innehållsägarna göra. Vill du att ett dokument läggs till eller ändras? Kontakta den "
        "som ansvarar för Strategibot hos er."
    ),
    personal_only="Det här gör du i en chatt med mig på tu man hand, inte i en kanal eller gruppchatt.",
    no_changes_here="Dokumenten kan inte ändras från Teams i den här installationen; lägg filer i dokumentmappen.",
    documents_title="Dokumenten jag svarar utifrån",
    documents_page="Sida {page} av {pages} · {count} dokument",
    documents_empty="Inga dokument är indexerade.",
    current="gällande",
    superseded="ersatt",
    superseded_by="ersatt av {by}",
    excerpt="utdrag",
    bundled="medföljer Strategibot",
    indexed="{passages} avsnitt · indexerad {when}",
    open_document="Öppna",
    edit="Rätta uppgifter",
    supersede="Markera som ersatt",
    mark_current="Markera som gällande",
    remove="Ta bort",
    previous="← Föregående",
    next="Nästa →",
    receiving="Tar emot **{name}**. Jag läser och indexerar den och återkommer här.",
    working="Uppdaterar **{name}** … jag återkommer här när det är klart.",
    read_title="Indexerad: {title}",
    read_facts="Datum: {date} · språk: {language} · {passages} avsnitt · fil: {name}",
    no_date_found="inget funnet",
    warnings={
        "no_date": "Inget datum hittades: ange det med **Rätta uppgifter**, annars sägs dokumentet vara odaterat.",
        "few_words": "Dokumentet har mycket lite text ({words} ord). Är det skannat, eller bara ett utdrag?",
        "pages_without_text": "Ingen text kunde läsas på sida {pages}.",
    },
    refused={
        "unsupported": "**{name}**: filtypen {detail} kan jag inte läsa. Skicka PDF, Word (.docx), HTML, TXT eller MD.",
        "too_large": "**{name}** är för stor: högst {limit} MB tas emot. Inget i kunskapsbasen ändrades.",
        "unreadable": "**{name}** gick inte att läsa: {detail}. Inget i kunskapsbasen ändrades.",
        "duplicate": "**{name}** finns redan i kunskapsbasen (som {detail}). Den indexerades inte igen.",
        "not_found": "Dokumentet **{name}** finns inte längre i dokumentmappen.",
        "invalid": "Uppgiften **{detail}** är inte giltig: datum skrivs ÅÅÅÅ-MM-DD, länken börjar med https://.",
        "bundled": (
            "**{name}** medföljer Strategibot och står kvar som det publicerades: det kan markeras som ersatt eller "
            "gällande, men inte ändras eller tas bort."
        ),
    },
    download_refused=(
        "Filen **{name}** hämtades inte: länken pekar inte på en tillåten värd ({detail}). "
        "Inget i kunskapsbasen ändrades."
    ),
    download_failed="Filen **{name}** kunde inte hämtas: {detail}. Inget i kunskapsbasen ändrades.",
    ingest_failed="Indexeringen misslyckades (spårnings-id {trace_id}). Den förra kunskapsbasen används fortfarande.",
    edit_title="Uppgifter om {name}",
    field_labels={
        "title": "Titel",
        "kind": "Slag (strategi, policy, remissvar …)",
        "issuer": "Utfärdare",
        "date": "Datum",
        "language": "Språk",
        "url": "Länk till den publicerade texten",
        "status": "Status",
        "superseded_by": "Ersatt av (titel)",
        "complete": "Hela dokumentet (inte ett utdrag)",
        "note": "Anteckning",
        "sv": "svenska",
        "en": "engelska",
    },
    save="Spara och indexera om",
    saved="Sparat: **{title}** ({date}, {status}). Nästa svar visar det.",
    supersede_title="Markera **{title}** som ersatt",
    supersede_choose="Vilket dokument ersätter det?",
    confirm_supersede="Ja, markera som ersatt",
    superseded_done=(
        "**{title}** är markerat som ersatt av {by}. Svar från det visas nu efter det gällande, märkta ”(ersatt)”."
    ),
    remove_title="Ta bort **{title}**?",
    remove_body=(
        "Dokumentet tas bort ur kunskapsbasen och citeras inte längre. Filen sparas undan i 30 dagar innan den raderas."
    ),
    confirm_remove="Ja, ta bort",
    cancel="Avbryt",
    cancelled="Inget ändrades.",
    removed_done="**{title}** är borttaget ur kunskapsbasen. Filen sparas undan i 30 dagar.",
    report_title="Obesvarade frågor, osäkra svar och 👎",
    report_since="sedan {since}: {count} i {topics} ämnen",
    report_empty="Inga obesvarade frågor, osäkra svar eller 👎 sedan {since}.",
    report_closest="{count} st · det närmaste avsnittet i dokumenten",
    report_count="{count} st",
    report_no_section="Inget avsnitt i dokumenten ligger nära",
    report_unanswered="obesvarad",
    report_unsure="osäkert svar",
    report_disliked="tumme ned",
    report_comment="kommentar",
    report_more_items="… och {count} till i ämnet",
    report_more_topics="… och {count} ämnen till (hela listan: `strategibot report`).",
    help_owner=(
        "Som innehållsägare kan du också: skicka en fil (PDF, Word, HTML, TXT, MD) för att lägga till den, "
        "skriva **dokument** för att se och ändra dokumenten, och **rapport** (eller **rapport sedan "
        "2026-11-01**) för frågor som dokumenten inte svarade på."
    ),
)

ENGLISH = OwnerTexts(
    not_owner=(
        "Only the content owners can do this. Would you like a document added or changed? Contact whoever "
        "looks after Strategibot for you."
    ),
    personal_only="Do this in a one-to-one chat with me, not in a channel or group chat.",
    no_changes_here="Documents cannot be changed from Teams in this installation; put files in the documents folder.",
    documents_title="The documents I answer from",
    documents_page="Page {page} of {pages} · {count} documents",
    documents_empty="No documents are indexed.",
    current="current",
    superseded="superseded",
    superseded_by="superseded by {by}",
    excerpt="excerpt",
    bundled="bundled with Strategibot",
    indexed="{passages} passages · indexed {when}",
    open_document="Open",
    edit="Correct details",
    supersede="Mark as superseded",
    mark_current="Mark as current",
    remove="Remove",
    previous="← Previous",
    next="Next →",
    receiving="Receiving **{name}**. I will read and index it, and report back here.",
    working="Updating **{name}** … I will report back here when it is done.",
    read_title="Indexed: {title}",
    read_facts="Date: {date} · language: {language} · {passages} passages · file: {name}",
    no_date_found="none found",
    warnings={
        "no_date": "No date was found: set it with **Correct details**, or the document is said to be undated.",
        "few_words": "The document has very little text ({words} words). Is it scanned, or only an excerpt?",
        "pages_without_text": "No text could be read on page {pages}.",
    },
    refused={
        "unsupported": "**{name}**: I cannot read files of type {detail}. Send PDF, Word (.docx), HTML, TXT or MD.",
        "too_large": "**{name}** is too large: files of at most {limit} MB are taken. Nothing changed.",
        "unreadable": "**{name}** could not be read: {detail}. Nothing in the knowledge base changed.",
        "duplicate": "**{name}** is already in the knowledge base (as {detail}). It was not indexed again.",
        "not_found": "The document **{name}** is no longer in the documents folder.",
        "invalid": "The field **{detail}** is not valid: dates are YYYY-MM-DD, links start with https://.",
        "bundled": (
            "**{name}** is bundled with Strategibot and stays as it was published: it can be marked superseded or "
            "current, but not changed or removed."
        ),
    },
    download_refused=(
        "The file **{name}** was not fetched: the link is not on an allowed host ({detail}). "
        "Nothing in the knowledge base changed."
    ),
    download_failed="The file **{name}** could not be fetched: {detail}. Nothing in the knowledge base changed.",
    ingest_failed="Indexing failed (trace id {trace_id}). The previous knowledge base is still in use.",
    edit_title="Details of {name}",
    field_labels={
        "title": "Title",
        "kind": "Kind (strategy, policy, consultation response …)",
        "issuer": "Issuer",
        "date": "Date",
        "language": "Language",
        "url": "Link to the published text",
        "status": "Status",
        "superseded_by": "Superseded by (title)",
        "complete": "The whole document (not an excerpt)",
        "note": "Note",
        "sv": "Swedish",
        "en": "English",
    },
    save="Save and reindex",
    saved="Saved: **{title}** ({date}, {status}). The next answer shows it.",
    supersede_title="Mark **{title}** as superseded",
    supersede_choose="Which document replaces it?",
    confirm_supersede="Yes, mark as superseded",
    superseded_done=(
        "**{title}** is marked as superseded by {by}. Answers from it now follow the current one, marked "
        "“(superseded)”."
    ),
    remove_title="Remove **{title}**?",
    remove_body=(
        "The document leaves the knowledge base and is no longer cited. The file is kept aside for 30 days "
        "before it is deleted."
    ),
    confirm_remove="Yes, remove",
    cancel="Cancel",
    cancelled="Nothing was changed.",
    removed_done="**{title}** is removed from the knowledge base. The file is kept aside for 30 days.",
    report_title="Unanswered questions, unsure answers and 👎",
    report_since="since {since}: {count} in {topics} topics",
    report_empty="No unanswered questions, unsure answers or 👎 since {since}.",
    report_closest="{count} · the closest section in the documents",
    report_count="{count}",
    report_no_section="No section of the documents is close",
    report_unanswered="unanswered",
    report_unsure="unsure answer",
    report_disliked="thumbs down",
    report_comment="comment",
    report_more_items="… and {count} more in this topic",
    report_more_topics="… and {count} more topics (the whole list: `strategibot report`).",
    help_owner=(
        "As a content owner you can also: send a file (PDF, Word, HTML, TXT, MD) to add it, type **documents** "
        "to see and change the documents, and **report** (or **report since 2026-11-01**) for the questions the "
        "documents did not answer."
    ),
)


def owner_texts_for(language: Language) -> OwnerTexts:
    return ENGLISH if language == "en" else SWEDISH
