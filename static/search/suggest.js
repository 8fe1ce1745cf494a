/* Suggestions as you type for the search box: fills the <datalist> from the suggest API.
   The page works without it; this only saves typing. No dependencies. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest-url]");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById(input.getAttribute("list"));
  var url = input.getAttribute("data-suggest-url");
  var timer = null;
  var controller = null;
  var last = "";

  function show(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (title) {
      var option = document.createElement("option");
      option.value = title;
      list.appendChild(option);
    });
  }

  function fetchSuggestions() {
    var text = input.value.trim();
    if (text === last) { return; }
    last = text;
    if (!text) { show([]); return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (body) { if (input.value.trim() === text) { show(body.suggestions || []); } })
      .catch(function () { /* offline or aborted: keep the box usable */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });
})();
