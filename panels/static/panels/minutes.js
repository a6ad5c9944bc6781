// The minutes page while an approved version's documents are being prepared (they are
// rendered after the approval, panels/minutes_rendering.py): ask the server for the list of
// versions every 2 s and swap it in once every version has its documents. Without the script
// the page's "Check again" link does the same by hand.

const EVERY_MS = 2000;
// The rendering takes seconds; after this long the person is told to check later, and the
// page stops asking (each ask counts as activity and would keep an idle session alive).
const GIVE_UP_AFTER_MS = 5 * 60 * 1000;

const documents = document.querySelector("[data-minutes-documents]");
const status = document.querySelector("[data-documents-status]");

function say(text) {
  // One paragraph in the polite live region: read out once, without moving the focus.
  const paragraph = document.createElement("p");
  paragraph.className = "govuk-body";
  paragraph.textContent = text;
  status.replaceChildren(paragraph);
}

async function latest() {
  const response = await fetch(documents.dataset.pollUrl, {
    credentials: "same-origin",
    headers: { Accept: "text/html" },
    cache: "no-store",
    redirect: "error", // a session that ended answers with the sign-in page: stop asking
  });
  if (!response.ok) throw new Error(`minutes documents: ${response.status}`);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelector("[data-minutes-documents]");
  if (!fresh) throw new Error("minutes documents: no list in the answer");
  return fresh;
}

function poll(started) {
  window.setTimeout(async () => {
    let fresh;
    try {
      fresh = await latest();
    } catch {
      return; // the "Check again" link stays for the person to use
    }
    if (fresh.dataset.pending === "false") {
      documents.replaceWith(document.adoptNode(fresh));
      say(fresh.dataset.readyMessage || "The documents are ready.");
    } else if (Date.now() - started > GIVE_UP_AFTER_MS) {
      say("The documents are taking longer than usual. Check again later, or reload the page.");
    } else {
      poll(started);
    }
  }, EVERY_MS);
}

if (documents && status && documents.dataset.pending === "true") {
  poll(Date.now());
}
