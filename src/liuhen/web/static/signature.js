// The party signs on a canvas with a finger, pen or mouse (pointer events). The drawing goes into
// a hidden field as base64 PNG, the form the document service takes as party.signature_png, so
// the signature is part of the same POST as the rest of the document form.
(function () {
  const pad = document.getElementById("signature-pad");
  if (!pad) return;
  const field = document.getElementById("party_signature_png");
  const status = document.getElementById("signature-status");
  const ctx = pad.getContext("2d");
  let drawing = false;

  function pen() {
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
  }
  // The canvas is scaled by CSS to fit a tablet; pointer positions are mapped back to its pixels.
  function at(event) {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * pad.width / box.width,
            (event.clientY - box.top) * pad.height / box.height];
  }
  function show() { status.textContent = field.value ? "已签名" : "未签名"; }
  function save() { field.value = pad.toDataURL("image/png").split(",")[1]; show(); }

  pad.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    drawing = true;
    pen();
    const [x, y] = at(event);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 0.1, y + 0.1);  // a dot for a tap
    ctx.stroke();
  });
  pad.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    const [x, y] = at(event);
    ctx.lineTo(x, y);
    ctx.stroke();
  });
  function finish() {
    if (!drawing) return;
    drawing = false;
    save();
  }
  pad.addEventListener("pointerup", finish);
  pad.addEventListener("pointercancel", finish);

  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, pad.width, pad.height);
    field.value = "";
    show();
  });

  // A form shown again after a refusal keeps the signature already given.
  if (field.value) {
    const image = new Image();
    image.onload = function () { ctx.drawImage(image, 0, 0); };
    image.src = "data:image/png;base64," + field.value;
  }
  show();
})();
