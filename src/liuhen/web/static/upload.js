// Upload evidence files with tus (resumable): progress shown, interrupted uploads resumed.
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const file = form.querySelector('input[type="file"]').files[0];
    if (!file) { status.textContent = "请选择文件"; return; }
    const metadata = { filename: file.name, filetype: file.type || "application/octet-stream",
                       case: form.dataset.case };
    const act = form.querySelector("select[name=act_seq]").value;
    if (act) metadata.act_seq = act;
    const officer = form.dataset.officer;
    if (officer) metadata.officer = officer;
    const upload = new tus.Upload(file, {
      endpoint: "/api/v1/uploads",
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000],
      headers: { "X-CSRF-Token": csrf },
      metadata: metadata,
      onError: function (error) { status.textContent = "上传失败：" + error.message; },
      onProgress: function (sent, total) {
        bar.value = total ? sent / total : 0;
        status.textContent = "已上传 " + Math.round(100 * sent / total) + "%";
      },
      onSuccess: function () {
        status.textContent = "上传完成，已归入本案";
        window.location.reload();
      },
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);  // continue, not restart
      upload.start();
    });
  });
})();
