// Progressive enhancement of the 在场同事确认 rows: as certificate numbers are typed into the
// officers' blocks, each colleague (not the signed-in user) gets a row with his number filled
// in, so he only types his password. Without JavaScript the server fills them on a refusal.
(function () {
  const box = document.getElementById("confirmations");
  if (!box) return;
  const me = box.dataset.me || "";
  const blocks = document.querySelectorAll("input[data-colleagues]");
  const rows = Array.from(box.querySelectorAll("input[name^='confirm_cert_']"));

  function named() {
    const out = [];
    blocks.forEach(function (input) {
      input.value.replace(/，/g, ",").split(",").forEach(function (c) {
        c = c.trim();
        if (c && c !== me && out.indexOf(c) < 0) out.push(c);
      });
    });
    return out;
  }

  function fill() {
    const wanted = named();
    // rows typed by hand stay; rows filled here follow what the blocks name
    const kept = rows.filter(function (r) { return r.value && !r.dataset.auto; })
      .map(function (r) { return r.value.trim(); });
    const missing = wanted.filter(function (c) { return kept.indexOf(c) < 0; });
    rows.forEach(function (r) {
      if (r.value && !r.dataset.auto) return;
      const next = missing.shift() || "";
      if (r.value !== next) {
        r.value = next;
        // a password typed for someone else must not follow the row to a new number
        const pw = box.querySelector("input[name='" + r.name.replace("cert", "password") + "']");
        if (pw) pw.value = "";
      }
      if (next) r.dataset.auto = "1"; else delete r.dataset.auto;
    });
  }

  rows.forEach(function (r) {
    r.addEventListener("input", function () { delete r.dataset.auto; });
    if (r.value) r.dataset.auto = "1"; // filled by the server from the blocks
  });
  blocks.forEach(function (input) { input.addEventListener("input", fill); });
  fill();
})();
