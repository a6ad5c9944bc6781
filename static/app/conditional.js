// Radios that reveal a follow-up question (templates/gds/layout/conditional_question.html):
// show the question of the checked radio, hide the others. GOV.UK Frontend's own reveal would
// also set aria-expanded on each radio, which ARIA does not allow on a radio.
export function startConditionalReveals(root = document) {
  const radios = [...root.querySelectorAll("input[type=radio][data-app-reveals]")];
  const sync = (name) => {
    for (const radio of radios.filter((r) => r.name === name)) {
      const target = document.getElementById(radio.dataset.appReveals);
      if (target) target.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
    }
  };
  const names = new Set(radios.map((radio) => radio.name));
  for (const name of names) sync(name);
  root.addEventListener("change", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.type === "radio" && names.has(input.name)) {
      sync(input.name);
    }
  });
}
