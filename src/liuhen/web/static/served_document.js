// 送达: choosing one of the case's documents writes its name and 文号 into the inputs the
// select names (data-fills), so the officer sees what will be recorded; the server records the
// chosen document's own name and number whatever the inputs say.
"use strict";
for (const pick of document.querySelectorAll("select[data-fills]")) {
  const [title, number] = pick.dataset.fills.split(" ").map((id) => document.getElementById(id));
  const fill = () => {
    const chosen = pick.selectedOptions[0];
    const from = chosen && chosen.value ? chosen.dataset : null;
    for (const [input, value] of [[title, from && from.title], [number, from && from.number]]) {
      if (!input) continue;
      input.readOnly = Boolean(from);
      if (from) input.value = value;
    }
  };
  pick.addEventListener("change", fill);
  fill();
}
