// Marks the page as JavaScript-capable (GOV.UK Frontend keys its styles off these
// classes) and starts the GOV.UK components. A served file: the CSP forbids inline script.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
