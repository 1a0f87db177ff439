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

  // A form that came back with errors: move focus to its summary (links lead to each field), so a
  // screen reader announces it and a phone shows it first.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
