// The act form's editor of parties (cases/templates/party_editor.html): the id label and the
// 法定代表人 input follow the party's type, "添加当事人" adds a row, and a party of an earlier
// case (GET /api/v1/parties, the cases the user may see) fills a row whole when picked. Without
// it the form still records the rows it draws.
(function () {
  "use strict";
  // as web/persons_form.py ID_LABELS, EDITED and KEPT
  var ID_LABELS = { citizen: "身份证号码", org: "统一社会信用代码", sole: "统一社会信用代码或经营者身份证号码" };
  var EDITED = ["name", "id_no", "address", "phone", "legal_rep"];
  var KEPT = ["role", "gender", "age", "unit", "title"];
  var FIND_AFTER = 2; // characters typed before asking

  function fill(row, party) {
    var prefix = row.dataset.prefix;
    var kind = row.querySelector("select.kind");
    if (kind) { kind.value = party.kind || "citizen"; }
    EDITED.forEach(function (part) {
      var input = row.querySelector('[name="' + prefix + "." + part + '"]');
      if (input) { input.value = party[part] || ""; }
    });
    row.querySelectorAll(".kept, .kept-note").forEach(function (el) { el.remove(); });
    KEPT.forEach(function (part) {
      if (!party[part]) { return; }
      var kept = document.createElement("input");
      kept.type = "hidden";
      kept.className = "kept";
      kept.name = prefix + "." + part;
      kept.value = party[part];
      row.appendChild(kept);
    });
    sync(row);
  }

  function line(text, className) {
    var item = document.createElement("li");
    item.className = className;
    item.textContent = text;
    return item;
  }

  function finder(row) {
    var box = row.querySelector(".party-find");
    if (!box) { return; }
    var input = box.querySelector("input.find");
    var list = box.querySelector(".found");
    var asked = "";
    var timer = null;
    box.hidden = false;
    list.replaceChildren();
    input.value = "";

    function show(q, items) {
      if (q !== asked) { return; } // a later question is on its way
      list.replaceChildren();
      if (!items.length) { list.append(line("以往案件中没有找到“" + q + "”", "meta")); }
      items.forEach(function (party) {
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "pick-party";
        pick.textContent = [party.name, party.id_no, party.address].filter(Boolean).join(" · ");
        var from = document.createElement("span");
        from.className = "meta";
        from.textContent = "（" + party.case + "）";
        pick.append(" ", from);
        pick.addEventListener("click", function () {
          fill(row, party);
          asked = "";
          input.value = "";
          list.replaceChildren(line("已填入" + party.name + "（来自 " + party.case + "），可再修改", "meta picked"));
        });
        var item = document.createElement("li");
        item.append(pick);
        list.append(item);
      });
    }

    function ask() {
      var q = input.value.trim();
      if (q === asked) { return; }
      asked = q;
      if (q.length < FIND_AFTER) { list.replaceChildren(); return; }
      fetch("/api/v1/parties?q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (answer) {
        return answer.ok ? answer.json() : { items: [] };
      }).then(function (body) { show(q, body.items || []); }, function () { show(q, []); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); ask(); }
    });
  }

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
    finder(copy);
    number(editor);
    copy.querySelector("input[name]").focus();
  }

  document.querySelectorAll(".persons-editor").forEach(function (editor) {
    editor.querySelectorAll("fieldset.party").forEach(function (row) { sync(row); finder(row); });
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
