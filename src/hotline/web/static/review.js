// 复核: keyboard shortcuts on the queue (j/k move, x tick, Enter open) and on a call (j/k choose a
// finding, x tick, c confirm, o overturn), "tick all", and the recording played in step with the turns.
(function () {
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function items() {
    var queue = document.querySelectorAll("#queue tbody tr[data-call]");
    return queue.length ? queue : document.querySelectorAll("article.finding[data-finding]");
  }
  var current = -1;
  function select(i) {
    var list = items();
    if (!list.length) return;
    current = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (el) { el.classList.remove("active"); });
    var el = list[current];
    el.classList.add("active");
    el.scrollIntoView({ block: "center" });
    if (el.tagName === "ARTICLE") el.focus({ preventScroll: true });
    document.body.dataset.selected = el.dataset.call || el.dataset.finding;
  }
  function press(name) {
    var el = items()[current];
    if (!el) return;
    var button = el.querySelector("button." + name);
    if (button) button.click();
  }
  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
    var el = items()[current];
    if (e.key === "j") { select(current + 1); e.preventDefault(); }
    else if (e.key === "k") { select(current - 1); e.preventDefault(); }
    else if (e.key === "x" && el) { var box = el.querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; }
    else if (e.key === "c") press("confirm");
    else if (e.key === "o") press("overturn");
    else if (e.key === "Enter" && el && el.dataset.href) window.location = el.dataset.href;
  });
  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "check-all") {
      document.querySelectorAll("#queue input[name=call_ids]").forEach(function (box) { box.checked = e.target.checked; });
    }
  });
  // the recording: the turn being heard is highlighted; a turn's time seeks the player
  var player = document.getElementById("player");
  if (player) {
    var turns = Array.prototype.slice.call(document.querySelectorAll(".turn[data-start]"));
    player.addEventListener("timeupdate", function () {
      var t = player.currentTime;
      turns.forEach(function (el) {
        var start = parseFloat(el.dataset.start), end = parseFloat(el.dataset.end || "NaN");
        var on = t >= start && (isNaN(end) ? false : t < end);
        el.classList.toggle("playing", on);
        if (on) document.body.dataset.playing = el.id;
      });
    });
    document.addEventListener("click", function (e) {
      var seek = e.target && e.target.closest ? e.target.closest("[data-seek]") : null;
      if (!seek) return;
      e.preventDefault();
      player.currentTime = parseFloat(seek.dataset.seek);
      player.play();
    });
  }
  var hash = window.location.hash.match(/^#f-(\d+)$/);
  if (hash) {
    var list = items();
    for (var i = 0; i < list.length; i++) if (list[i].dataset.finding === hash[1]) { current = i; list[i].classList.add("active"); }
  }
})();
