// A document's PDF previewed in place on the case page, loaded only when its fold is opened:
// reading a document is journaled as a view, so a page load must not fetch every PDF.
(function () {
  document.querySelectorAll("details.pdf-preview[data-src]").forEach((fold) => {
    fold.addEventListener("toggle", () => {
      if (!fold.open || fold.querySelector("iframe")) return;
      const frame = document.createElement("iframe");
      frame.src = fold.dataset.src;
      frame.title = fold.dataset.title || "文书预览";
      frame.className = "pdf-frame";
      fold.appendChild(frame);
    });
  });
})();
