// The approval page: picking 同意 / 不同意 / 退回补充 starts the opinion with its usual phrase,
// unless the head has already written something of his own (then only an empty box is filled
// or another choice's untouched phrase replaced).
(function () {
  const box = document.getElementById("opinion");
  const picks = document.querySelectorAll('input[name="choice"][data-phrase]');
  if (!box || !picks.length) return;
  const phrases = Array.from(picks, (p) => p.dataset.phrase);
  picks.forEach((pick) => pick.addEventListener("change", () => {
    const now = box.value.trim();
    if (!now || phrases.includes(now)) {
      box.value = pick.dataset.phrase;
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
  }));
})();
