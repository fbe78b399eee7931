// Papers: a countdown on timed exams (handed in when time is up), and a warning before handing in a paper
// with unanswered questions (a second click hands it in; unanswered questions score 0 as 未作答).
(function () {
  var form = document.getElementById("paper");
  if (!form) return;
  function unanswered() {
    var out = [];
    form.querySelectorAll("fieldset.question").forEach(function (q, i) {
      var filled = Array.prototype.some.call(q.querySelectorAll("input, textarea"), function (el) {
        return (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "";
      });
      if (!filled) out.push(i + 1);
    });
    return out;
  }
  var timeUp = false;
  form.addEventListener("submit", function (e) {
    var missing = unanswered(), warn = document.getElementById("unanswered-warning");
    if (timeUp || !missing.length || warn.dataset.confirmed === "1") return;
    e.preventDefault();
    warn.hidden = false;
    warn.textContent = "还有 " + missing.length + " 题未作答（第 " + missing.join("、") + " 题），交卷后这些题记为未作答、不得分。确定要交卷请再点一次“交卷”。";
    warn.dataset.confirmed = "1";
    document.getElementById("submit-paper").textContent = "仍然交卷";
  });
  var clock = document.getElementById("exam-countdown");
  if (clock) {
    var left = parseInt(clock.dataset.seconds, 10);
    var timer = setInterval(function () {
      left = Math.max(0, left - 1);
      clock.textContent = "剩余 " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left <= 60) clock.classList.add("urgent");
      if (left === 0) { clearInterval(timer); timeUp = true; form.requestSubmit ? form.requestSubmit() : form.submit(); }
    }, 1000);
  }
})();
