// The act form's editor of parties (cases/templates/party_editor.html): the id label and the
// 法定代表人 input follow the party's type, and "添加当事人" adds a row. Without it the form still
// records the rows it draws.
(function () {
  "use strict";
  // as web/persons_form.py ID_LABELS
  var ID_LABELS = { citizen: "身份证号码", org: "统一社会信用代码", sole: "统一社会信用代码或经营者身份证号码" };

  function sync(row) {
    var kind = row.querySelector("select.kind");
    if (!kind) { return; }
    var label = row.querySelector(".id-no-label");
    if (label) { label.textContent = ID_LABELS[kind.value] || ID_LABELS.citizen; }
    var rep = row.querySelector(".legal-rep");
    if (rep) { rep.hidden = kind.value !== "org" && !rep.querySelector("input").value; }
  }

  function number(editor) {
    var rows = editor.querySelectorAll("fieldset.party");
    rows.forEach(function (row, i) {
      var n = row.querySelector("legend .n");
      if (n) { n.textContent = String(i + 1); }
      var remove = row.querySelector(".remove-party");
      if (remove) { remove.hidden = rows.length < 2; }
    });
  }

  function nextIndex(editor, name) {
    var most = -1;
    editor.querySelectorAll("fieldset.party").forEach(function (row) {
      var index = parseInt(row.dataset.prefix.slice(name.length + 1), 10);
      if (index > most) { most = index; }
    });
    return most + 1;
  }

  function add(editor) {
    var name = editor.dataset.name;
    var rows = editor.querySelectorAll("fieldset.party");
    var last = rows[rows.length - 1];
    var old = last.dataset.prefix + ".";
    var prefix = name + "." + nextIndex(editor, name);
    var copy = last.cloneNode(true);
    copy.dataset.prefix = prefix;
    copy.querySelectorAll(".kept, .kept-note, .field-error").forEach(function (el) { el.remove(); });
    copy.querySelectorAll("[name], [id]").forEach(function (el) {
      ["name", "id"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && value.indexOf(old) === 0) { el.setAttribute(attr, prefix + "." + value.slice(old.length)); }
      });
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      el.removeAttribute("autofocus");
      if (el.tagName === "INPUT") { el.value = ""; }
      if (el.tagName === "SELECT") { el.value = "citizen"; }
    });
    last.after(copy);
    sync(copy);
    number(editor);
    copy.querySelector("input").focus();
  }

  document.querySelectorAll(".persons-editor").forEach(function (editor) {
    editor.querySelectorAll("fieldset.party").forEach(sync);
    editor.addEventListener("change", function (event) {
      if (event.target.matches("select.kind")) { sync(event.target.closest("fieldset.party")); }
    });
    editor.addEventListener("click", function (event) {
      var remove = event.target.closest(".remove-party");
      if (remove && editor.querySelectorAll("fieldset.party").length > 1) {
        remove.closest("fieldset.party").remove();
        number(editor);
      }
    });
    var button = editor.querySelector(".add-party");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { add(editor); });
    number(editor);
  });
}());
