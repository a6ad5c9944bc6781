// Marks the page as JavaScript-capable (GOV.UK Frontend keys its styles off these
// classes) and starts the GOV.UK components. A served file: the CSP forbids inline script.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";
import { startConditionalReveals } from "./conditional.js";
import { startTimeoutWarning } from "./timeout.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
startConditionalReveals();
// Signed-in pages carry the session timeout warning (templates/includes/timeout_warning.html).
startTimeoutWarning(document.querySelector("[data-module='app-timeout-warning']"));
