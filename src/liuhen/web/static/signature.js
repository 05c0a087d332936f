// A signer draws on a canvas with a finger, pen or mouse (pointer events). The drawing goes into
// a hidden field as base64 PNG, the form the document service takes as party.signature_png (and,
// on a 听证笔录, each other hearing participant's participants[].signature_png), so the signatures
// are part of the same POST as the rest of the document form.
(function () {
  function attach(pad, field, status, clear) {
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

    clear.addEventListener("click", function () {
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
  }

  // Every pad on the page, once it is all parsed: the script is loaded beside the party's pad,
  // before the participants' pads below it.
  function start() {
    const party = document.getElementById("signature-pad");
    if (party) {
      attach(party, document.getElementById("party_signature_png"),
             document.getElementById("signature-status"),
             document.getElementById("signature-clear"));
    }
    document.querySelectorAll("canvas.participant-pad").forEach(function (pad) {
      attach(pad, document.getElementById(pad.dataset.field),
             document.getElementById(pad.id + "-status"),
             document.querySelector("button.participant-clear[data-pad='" + pad.id + "']"));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
