// The GOV.UK timeout warning. The session ends on the server (agencies/session_timeout.py);
// this only tells the person in time, as a modal dialog `warning` seconds before the end,
// with "Stay signed in" (which POSTs the keep-alive) and "Sign out".
//
// Other tabs: before the warning shows, and again when its time runs out, the status
// endpoint is asked how long is left, so activity in another tab counts; a tab that keeps
// the session alive also tells the others at once (BroadcastChannel, timings only).
// When the time runs out on a page with a form marked data-keep-on-timeout that the person
// has changed, the form's own "save" button is submitted: the server keeps what was typed
// and gives it back after sign-in. Nothing typed is ever stored in the browser.

const ANNOUNCE_AT = new Set([60, 30, 10]); // seconds: besides every whole minute

function plural(count, unit) {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

function spoken(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes && rest) return `${plural(minutes, "minute")} ${plural(rest, "second")}`;
  return minutes ? plural(minutes, "minute") : plural(rest, "second");
}

export function startTimeoutWarning(dialog) {
  if (!dialog || typeof dialog.showModal !== "function") return;
  const warning = Number(dialog.dataset.warningSeconds);
  const countdown = dialog.querySelector("[data-timeout-countdown]");
  const spokenText = dialog.querySelector("[data-timeout-spoken]");
  const live = dialog.querySelector("[data-timeout-live]");
  const stay = dialog.querySelector("[data-timeout-stay]");
  const finalNote = dialog.querySelector("[data-timeout-final]");
  const formNote = dialog.querySelector("[data-timeout-form-note]");
  const csrf = dialog.querySelector("input[name=csrfmiddlewaretoken]").value;
  const keptForm = document.querySelector("form[data-keep-on-timeout]");
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("app-session") : null;

  let deadline = 0; // Date.now() at which the server ends the session
  let timer = null;
  let ticker = null;
  let returnFocusTo = null;
  let formChanged = false;
  let leaving = false;
  let closing = false; // closed by this script, not by the browser (a second Escape)

  if (keptForm) {
    const changed = () => { formChanged = true; };
    keptForm.addEventListener("input", changed);
    keptForm.addEventListener("change", changed);
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function schedule(remaining) {
    deadline = Date.now() + remaining * 1000;
    window.clearTimeout(timer);
    timer = window.setTimeout(beforeWarning, Math.max(0, remaining - warning) * 1000);
  }

  async function status(url, options) {
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        ...options,
        headers: { Accept: "application/json", ...(options?.headers || {}) },
      });
      const answer = await response.json();
      return response.ok ? answer : { signed_in: false, remaining_seconds: 0 };
    } catch {
      return null; // offline for a moment: go by the clock we have
    }
  }

  async function beforeWarning() {
    const answer = await status(dialog.dataset.statusUrl);
    if (answer === null) return show(true);
    if (!answer.signed_in) return expire();
    if (answer.remaining_seconds > warning) return schedule(answer.remaining_seconds);
    deadline = Date.now() + answer.remaining_seconds * 1000;
    show(answer.can_extend !== false);
  }

  function show(canExtend) {
    stay.hidden = !canExtend;
    finalNote.hidden = canExtend;
    formNote.hidden = !(keptForm && formChanged);
    render(true);
    if (!dialog.open) {
      returnFocusTo = document.activeElement;
      dialog.showModal();
      dialog.focus(); // the heading and text are read as the dialog's name and description
    }
    window.clearInterval(ticker);
    ticker = window.setInterval(tick, 1000);
  }

  function render(first) {
    const left = secondsLeft();
    countdown.textContent = spoken(left);
    spokenText.textContent = `For your security, we will sign you out in ${spoken(left)}.`;
    // The live region speaks seldom: a screen reader user is not talked over every second.
    if (!first && (left % 60 === 0 || ANNOUNCE_AT.has(left)) && left > 0) {
      live.textContent = `You will be signed out in ${spoken(left)}.`;
    }
  }

  async function tick() {
    if (secondsLeft() > 0) return render(false);
    window.clearInterval(ticker);
    const answer = await status(dialog.dataset.statusUrl);
    if (answer && answer.signed_in && answer.remaining_seconds > 0) {
      // Someone was active in another tab during the warning.
      if (answer.remaining_seconds > warning) return hide(answer.remaining_seconds);
      deadline = Date.now() + answer.remaining_seconds * 1000;
      ticker = window.setInterval(tick, 1000);
      return;
    }
    expire();
  }

  function hide(remaining) {
    window.clearInterval(ticker);
    live.textContent = "";
    if (dialog.open) {
      closing = true;
      dialog.close();
      closing = false;
      if (returnFocusTo && document.contains(returnFocusTo)) returnFocusTo.focus();
    }
    schedule(remaining);
  }

  async function staySignedIn() {
    const answer = await status(dialog.dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf },
    });
    if (answer === null) return; // try again with the next press; the dialog stays
    if (!answer.signed_in) return expire();
    channel?.postMessage({ remaining: answer.remaining_seconds });
    if (answer.remaining_seconds > warning) return hide(answer.remaining_seconds);
    deadline = Date.now() + answer.remaining_seconds * 1000;
    show(false);
  }

  function expire() {
    if (leaving) return;
    leaving = true;
    window.clearTimeout(timer);
    window.clearInterval(ticker);
    const save = keptForm?.querySelector("button[name=action][value=save]");
    if (keptForm && formChanged && save) {
      // Arrives after the end: the server keeps it and saves it as the person's draft
      // once they sign in again.
      keptForm.requestSubmit(save);
      return;
    }
    const next = window.location.pathname + window.location.search;
    window.location.assign(`${dialog.dataset.signInUrl}?next=${encodeURIComponent(next)}`);
  }

  stay.addEventListener("click", staySignedIn);
  // Escape closes GOV.UK's timeout dialog as "Stay signed in" does.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (!stay.hidden) staySignedIn();
  });
  dialog.addEventListener("close", () => {
    if (!closing && !leaving && !stay.hidden) staySignedIn();
  });
  channel?.addEventListener("message", (event) => {
    const remaining = Number(event.data?.remaining);
    if (Number.isFinite(remaining) && remaining > warning && !leaving) hide(remaining);
  });
  // A laptop that slept: timers were paused, so ask again on waking.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !leaving && !dialog.open) beforeWarning();
  });

  const remaining = Number(dialog.dataset.remainingSeconds);
  channel?.postMessage({ remaining }); // this page load was activity
  schedule(remaining);
}
