// A case's upload page: several files at once, each with the act it records, the camera and the
// recording's start and end, pre-filled from the file itself; each sent with tus (resumable)
// with its own progress bar. A refused or broken upload keeps everything typed and can resume.
(function () {
  "use strict";
  const form = document.getElementById("upload-page");
  if (!form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const list = document.getElementById("upload-list");
  const template = document.getElementById("upload-row");
  const startAll = document.getElementById("upload-start");
  const summary = document.getElementById("upload-summary");
  const picker = form.querySelector("input[type=file]");
  const FUTURE_MS = 5 * 60 * 1000; // the server's tolerance for a clock a little ahead
  const PARALLEL = 3;
  const rows = [];

  function pad(n) { return String(n).padStart(2, "0"); }
  function localValue(ms) { // what a datetime-local input shows: the browser's wall clock
    const d = new Date(ms);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  function parseLocal(value) { // a datetime-local value is local time
    if (!value) return null;
    const t = new Date(value).getTime();
    return isNaN(t) ? NaN : t;
  }
  function iso(ms) { // with the browser's offset at that moment, as the server requires
    const off = -new Date(ms).getTimezoneOffset();
    const a = Math.abs(off);
    return localValue(ms) + (off >= 0 ? "+" : "-") + pad(Math.floor(a / 60)) + ":" + pad(a % 60);
  }
  function humanSize(bytes) {
    if (bytes >= 1 << 30) return (bytes / (1 << 30)).toFixed(1) + " GB";
    if (bytes >= 1 << 20) return (bytes / (1 << 20)).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }
  function kindOf(file) {
    const type = file.type || "";
    if (type.startsWith("video/")) return "video";
    if (type.startsWith("audio/")) return "audio";
    if (type.startsWith("image/")) return "photo";
    const ext = (file.name.split(".").pop() || "").toLowerCase();
    if (["mp4", "mov", "avi", "mkv", "ts", "3gp", "webm"].includes(ext)) return "video";
    if (["mp3", "wav", "m4a", "amr", "aac", "ogg", "flac"].includes(ext)) return "audio";
    if (["jpg", "jpeg", "png", "heic", "webp"].includes(ext)) return "photo";
    return "unknown";
  }

  // The duration from a hidden media element's metadata; null when the browser cannot read it.
  function duration(file, kind) {
    return new Promise(function (resolve) {
      const el = document.createElement(kind === "audio" ? "audio" : "video");
      const url = URL.createObjectURL(file);
      let done = false;
      function finish(value) {
        if (done) return;
        done = true;
        el.removeAttribute("src");
        el.remove();
        URL.revokeObjectURL(url);
        resolve(value);
      }
      el.preload = "metadata";
      el.muted = true;
      el.hidden = true;
      el.addEventListener("loadedmetadata", function () {
        finish(isFinite(el.duration) && el.duration > 0 ? el.duration : null);
      });
      el.addEventListener("error", function () { finish(null); });
      setTimeout(function () { finish(null); }, 15000);
      document.body.appendChild(el);
      el.src = url;
    });
  }

  function field(row, name) { return row.el.querySelector("[name=" + name + "]"); }
  function setEditable(row, editable) {
    row.el.querySelectorAll("select, input").forEach(function (input) { input.disabled = !editable; });
    row.el.querySelector(".remove").hidden = !editable;
  }
  function say(row, text, kind) {
    const status = row.el.querySelector(".status");
    status.textContent = text;
    status.className = "status" + (kind ? " " + kind : "");
  }

  function addFile(file) {
    const el = template.content.firstElementChild.cloneNode(true);
    const row = { file: file, el: el, kind: kindOf(file), state: "ready", upload: null };
    el.querySelector(".name").textContent = file.name;
    el.querySelector(".size").textContent = humanSize(file.size);
    field(row, "device").value = form.dataset.device || "";
    el.querySelector(".remove").addEventListener("click", function () {
      rows.splice(rows.indexOf(row), 1);
      el.remove();
      refresh();
    });
    el.querySelector(".retry").addEventListener("click", function () { send(row); });
    list.appendChild(el);
    rows.push(row);
    const end = file.lastModified || Date.now();
    field(row, "ended_at").value = localValue(end);
    field(row, "started_at").value = localValue(end);
    const hint = el.querySelector(".hint");
    if (row.kind === "video" || row.kind === "audio") {
      hint.textContent = "正在读取时长……";
      duration(file, row.kind).then(function (seconds) {
        if (seconds === null) { // e.g. a codec the browser cannot play: let the server read it
          if (field(row, "started_at").value === localValue(end)) {
            field(row, "started_at").value = "";
            field(row, "ended_at").value = "";
          }
          hint.textContent = "浏览器无法读取该文件的时长：开始、结束时间留空，将采用文件内记录的" +
            "创建时间与时长（文件未记录的，按上传时间记载并注明）；也可手动填写。";
          return;
        }
        if (field(row, "started_at").value === localValue(end)) { // not yet edited
          field(row, "started_at").value = localValue(end - Math.round(seconds * 1000));
        }
        hint.textContent = "时长 " + Math.round(seconds) + " 秒：结束时间取自文件修改时间，" +
          "开始时间为结束时间减去时长，请核对。";
      });
    } else if (row.kind === "photo") {
      el.querySelector(".opening").hidden = true; // a photo says nothing
      hint.textContent = "照片：开始、结束时间均取自文件修改时间，请核对。";
    } else {
      hint.textContent = "无法识别的文件类型：按原样保存，请核对时间。";
    }
    refresh();
  }

  function problems(row) {
    const start = parseLocal(field(row, "started_at").value);
    const end = parseLocal(field(row, "ended_at").value);
    const found = [];
    if ((start === null) !== (end === null)) {
      found.push("开始、结束记录时间应同时填写（都留空则按文件内记录的时间）");
    }
    if (Number.isNaN(start) || Number.isNaN(end)) found.push("记录时间无效");
    if (start !== null && end !== null && end < start) found.push("结束记录时间早于开始记录时间");
    const latest = Date.now() + FUTURE_MS;
    if ((start !== null && start > latest) || (end !== null && end > latest)) {
      found.push("记录时间晚于当前时间");
    }
    return found;
  }

  function metadataOf(row) {
    const meta = { filename: row.file.name, filetype: row.file.type || "application/octet-stream",
                   case: form.dataset.case };
    const act = field(row, "act_seq").value;
    const device = field(row, "device").value;
    const start = parseLocal(field(row, "started_at").value);
    const end = parseLocal(field(row, "ended_at").value);
    if (act) meta.act_seq = act;
    if (device) meta.device = device;
    if (field(row, "opening_statement").checked) meta.opening_statement = "true";
    if (start !== null && end !== null) { meta.started_at = iso(start); meta.ended_at = iso(end); }
    return meta;
  }

  function reason(error) {
    const response = error && error.originalResponse;
    if (response) {
      try {
        const body = JSON.parse(response.getBody());
        const details = (body.problems || []).map(function (p) { return p.message; });
        return body.message + "（" + body.code + "）" + (details.length ? "：" + details.join("；") : "");
      } catch (e) { /* not a problem document: fall through */ }
    }
    return "连接中断或服务器无响应，已收到的部分已保存，可继续上传";
  }

  function described(row) { // what the server recorded for the file, read back once stored
    fetch(row.upload.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (st) {
        if (st.status !== "complete") { // stored, but not bound as asked: the server says why
          say(row, "未能归入本案：" + (st.error || st.status), "bad");
          row.state = "failed";
          refresh();
          throw new Error(st.status);
        }
        return fetch("/api/v1/media/" + encodeURIComponent(st.digest));
      })
      .then(function (r) { return r.json(); })
      .then(function (m) {
        const when = function (t) { // as recorded, at its own offset: 2026年11月20日 15:00:04
          if (!t) return "无";
          return Number(t.slice(0, 4)) + "年" + Number(t.slice(5, 7)) + "月" + Number(t.slice(8, 10)) +
            "日 " + t.slice(11, 19);
        };
        let text = "已归入本案：设备 " + (m.device_no || "未登记") + "，记录 " + when(m.started_at) +
          " 至 " + when(m.ended_at);
        if (!m.started_at) text += "（未填写时间，文件也未记录：按存储时间记载）";
        row.el.querySelector(".hint").textContent = text;
      })
      .catch(function () { /* the file is stored; this is only a description */ });
  }

  function send(row) {
    row.state = "sending";
    row.el.querySelector(".retry").hidden = true;
    setEditable(row, false);
    say(row, "正在上传……");
    refresh();
    if (row.upload && row.upload.url) { // created already: continue from the server's offset
      row.upload.start();
      return;
    }
    const meta = metadataOf(row);
    const bar = row.el.querySelector("progress");
    row.upload = new tus.Upload(row.file, {
      endpoint: "/api/v1/uploads",
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000],
      removeFingerprintOnSuccess: true,
      headers: { "X-CSRF-Token": csrf },
      metadata: meta,
      onProgress: function (sent, total) {
        bar.value = total ? sent / total : 0;
        say(row, "已上传 " + (total ? Math.floor(100 * sent / total) : 0) + "%");
      },
      onError: function (error) {
        row.state = "failed";
        const created = Boolean(row.upload.url);
        if (!created) row.upload = null; // refused before a byte: fix the fields, send again
        setEditable(row, !created);
        say(row, "上传失败：" + reason(error), "bad");
        const retry = row.el.querySelector(".retry");
        retry.textContent = created ? "继续上传" : "重新上传";
        retry.hidden = false;
        refresh();
        pump(); // room for the next queued file
      },
      onSuccess: function () {
        row.state = "done";
        bar.value = 1;
        say(row, "上传完成", "ok");
        described(row);
        refresh();
        pump();
      },
    });
    row.upload.findPreviousUploads().then(function (previous) {
      const same = previous.find(function (p) { return JSON.stringify(p.metadata) === JSON.stringify(meta); });
      if (same) row.upload.resumeFromPreviousUpload(same); // the same file, same facts: continue
      row.upload.start();
    });
  }

  function refresh() {
    const waiting = rows.filter(function (r) { return r.state === "ready"; }).length;
    const sending = rows.filter(function (r) { return r.state === "sending"; }).length;
    const done = rows.filter(function (r) { return r.state === "done"; }).length;
    const failed = rows.filter(function (r) { return r.state === "failed"; }).length;
    startAll.disabled = waiting === 0;
    if (!rows.length) { summary.textContent = ""; return; }
    summary.textContent = "共 " + rows.length + " 个文件：完成 " + done + "，上传中 " + sending +
      "，失败 " + failed + "，待上传 " + waiting;
    if (done === rows.length) {
      summary.innerHTML = "";
      const link = document.createElement("a");
      link.href = "/cases/" + encodeURIComponent(form.dataset.case);
      link.textContent = "全部 " + done + " 个文件已上传并归入本案，返回案件";
      summary.appendChild(link);
    }
  }

  function pump() { // start waiting files, a few at a time
    const queued = rows.filter(function (r) { return r.state === "queued"; });
    let room = PARALLEL - rows.filter(function (r) { return r.state === "sending"; }).length;
    queued.forEach(function (row) { if (room-- > 0) send(row); });
  }

  picker.addEventListener("change", function () {
    Array.prototype.forEach.call(picker.files, addFile);
    picker.value = ""; // the same file may be chosen again after being removed
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    let refused = 0;
    rows.forEach(function (row) {
      if (row.state !== "ready") return;
      const found = problems(row);
      if (found.length) {
        refused++;
        say(row, "请更正：" + found.join("；"), "bad");
        return;
      }
      row.state = "queued";
      say(row, "等待上传");
    });
    pump();
    if (refused) summary.textContent = refused + " 个文件的时间有误，请更正后再上传";
  });
})();
