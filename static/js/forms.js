// Small progressive enhancements for forms; every form works without this file.
(function () {
  "use strict";

  // A <select data-filter-by="id_species"> whose options carry data-species: offer only the options
  // of the chosen species (the breed list of the pet form). The server checks the pair anyway.
  document.querySelectorAll("select[data-filter-by]").forEach(function (select) {
    var source = document.getElementById(select.getAttribute("data-filter-by"));
    if (!source) return;
    var options = Array.prototype.slice.call(select.options);
    function apply() {
      var chosen = source.value;
      options.forEach(function (option) {
        var species = option.getAttribute("data-species");
        if (!species) return; // the empty choice stays
        var show = !chosen || species === chosen;
        option.hidden = !show;
        option.disabled = !show;
      });
      var current = select.options[select.selectedIndex];
      if (current && current.disabled) select.value = "";
    }
    source.addEventListener("change", apply);
    apply();
  });

  // A long <select data-searchable> (the 514 cities and regencies): a search box above it filters the
  // options as one types and picks the first match; the select itself is still what the form posts.
  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "select-search";
    input.autocomplete = "off";
    input.setAttribute("aria-label", select.getAttribute("data-search-label") || "");
    input.placeholder = select.getAttribute("data-search-label") || "";
    if (select.id) input.setAttribute("aria-controls", select.id);
    var count = document.createElement("span");
    count.className = "visually-hidden";
    count.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(count, select);
    var options = Array.prototype.slice.call(select.options);
    input.addEventListener("input", function () {
      var words = normalise(input.value).split(/\s+/).filter(Boolean);
      var first = null;
      var matches = 0;
      options.forEach(function (option) {
        if (!option.value) return;
        var text = normalise(option.textContent);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !match;
        if (match) {
          matches += 1;
          if (!first) first = option;
        }
      });
      if (words.length && first) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      var template = select.getAttribute("data-search-count") || "{n}";
      count.textContent = words.length ? template.replace("{n}", String(matches)) : "";
    });
  });

  // A form that came back with errors: move focus to its summary (links lead to each field), so a
  // screen reader announces it and a phone shows it first.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
