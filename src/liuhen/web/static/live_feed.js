// 实时调阅: every 15 seconds the feed asks for the acts journaled since the newest it shows and
// puts them on top; "调阅" opens an act in place (the server journals that viewing). Without
// JavaScript the page still lists the acts and "调阅" goes to the act on its case page.
(function () {
  const list = document.getElementById("feed-rows");
  if (!list) return;
  const status = document.getElementById("feed-status");
  const live = list.dataset.live;

  function opener(event) {
    const link = event.target.closest("a.open-act");
    if (!link) return;
    event.preventDefault();
    const item = link.closest("li");
    const slot = item.querySelector(".act-slot");
    if (slot.dataset.open) {
      slot.hidden = !slot.hidden;
      link.textContent = slot.hidden ? "调阅" : "收起";
      return;
    }
    link.textContent = "正在调阅…";
    fetch(link.dataset.act, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status === 403 ? "无权调阅该事项" : "调阅失败（" + r.status + "）");
        return r.text();
      })
      .then(function (html) {
        slot.innerHTML = html;
        slot.dataset.open = "1";
        link.textContent = "收起";
      })
      .catch(function (err) {
        slot.textContent = err.message;
        link.textContent = "调阅";
      });
  }
  list.addEventListener("click", opener);

  if (!live) return;
  function poll() {
    const url = live + (live.indexOf("?") < 0 ? "?" : "&") + "after=" + (list.dataset.newest || "0");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        list.dataset.newest = r.headers.get("X-Feed-Newest") || list.dataset.newest;
        return r.text();
      })
      .then(function (html) {
        if (html.trim()) {
          list.insertAdjacentHTML("afterbegin", html);
          const empty = document.getElementById("feed-empty");
          if (empty) empty.remove();
        }
        status.textContent = "正在显示最新记录（" + new Date().toLocaleTimeString("zh-CN") + " 已更新）";
      })
      .catch(function () {
        status.textContent = "暂时无法取回新记录，稍后自动重试";
      });
  }
  setInterval(poll, 15000);
})();
