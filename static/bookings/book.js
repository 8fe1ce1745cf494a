/* The booking form as you choose: the end, the price and the refund deadlines follow the
   chosen start and duration at once, and durations longer than the free time from the chosen
   start are disabled. Without this file the 计算 button asks the server for the same figures;
   either way the form submits exactly the start and duration it shows. No dependencies. */
(function () {
  "use strict";
  var form = document.getElementById("booking-form");
  if (!form) { return; }
  var start = document.getElementById("start");
  var minutes = document.getElementById("minutes");
  var rateFen = parseInt(form.getAttribute("data-rate-fen"), 10);
  var price = document.getElementById("summary-price");
  var startText = document.getElementById("summary-start");
  var endText = document.getElementById("summary-end");
  var deadlines = document.querySelectorAll("#refund-deadlines .refund-deadline");

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function update() {
    var chosen = start.options[start.selectedIndex];
    if (!chosen) { return; }
    var free = parseInt(chosen.getAttribute("data-free"), 10) || 0;
    var i;
    for (i = 0; i < minutes.options.length; i++) {
      minutes.options[i].disabled = parseInt(minutes.options[i].value, 10) > free;
    }
    if (minutes.options[minutes.selectedIndex].disabled) {
      // Keep the longest duration that still fits.
      for (i = minutes.options.length - 1; i >= 0; i--) {
        if (!minutes.options[i].disabled) { minutes.selectedIndex = i; break; }
      }
    }
    var length = parseInt(minutes.value, 10);
    var time = chosen.getAttribute("data-time").split(":");
    // Opening intervals never cross midnight: the end is on the start's day.
    var endMinutes = parseInt(time[0], 10) * 60 + parseInt(time[1], 10) + length;
    startText.textContent = chosen.getAttribute("data-date") + " " + chosen.getAttribute("data-time");
    endText.textContent = chosen.getAttribute("data-date") + " " +
      pad(Math.floor(endMinutes / 60)) + ":" + pad(endMinutes % 60);
    if (!isNaN(rateFen)) {
      var fen = Math.round(rateFen * length / 60);  // half up, as the server rounds
      price.textContent = "¥" + (fen / 100).toFixed(2) + " CNY";
    }
    var refunds = (chosen.getAttribute("data-refunds") || "").split("|");
    for (i = 0; i < deadlines.length && i < refunds.length; i++) {
      deadlines[i].textContent = refunds[i];
    }
  }

  function changed() {
    // An explanation of the previous choice no longer applies to the new one.
    var error = document.getElementById("booking-error");
    if (error) { error.hidden = true; }
    update();
  }

  start.addEventListener("change", changed);
  minutes.addEventListener("change", changed);
}());
