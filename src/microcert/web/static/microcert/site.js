/* microcert — the site's only script, served by the platform. Every page works without it:
   it folds the menu and the catalogue's filters away on narrow screens and opens them on
   wide ones, and closes a dropdown on Escape or a click elsewhere. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var wide = window.matchMedia("(min-width: 60rem)");

  function fitToWidth() {
    var panels = document.querySelectorAll("details[data-wide-open]");
    for (var i = 0; i < panels.length; i++) {
      panels[i].open = wide.matches;
    }
  }

  function closeDropdowns(except) {
    var open = document.querySelectorAll("details.dropdown[open]");
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except && !(wide.matches && open[i].hasAttribute("data-wide-open"))) {
        open[i].open = false;
      }
    }
  }

  // A table wider than the screen scrolls sideways; the keyboard must be able to reach it.
  function focusableScrollers() {
    var scrollers = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < scrollers.length; i++) {
      var box = scrollers[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var caption = box.querySelector("caption");
        if (caption && !box.hasAttribute("aria-label")) {
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
      }
    }
  }

  fitToWidth();
  document.addEventListener("DOMContentLoaded", function () {
    fitToWidth();
    focusableScrollers();
  });
  window.addEventListener("resize", focusableScrollers);
  if (wide.addEventListener) {
    wide.addEventListener("change", fitToWidth);
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var current = document.activeElement && document.activeElement.closest("details.dropdown[open]");
    if (current && !(wide.matches && current.hasAttribute("data-wide-open"))) {
      current.open = false;
      current.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    // On wide screens the panels that fold on phones stay open.
    var summary = event.target.closest ? event.target.closest("details[data-wide-open] > summary") : null;
    if (summary && wide.matches) {
      event.preventDefault();
      return;
    }
    closeDropdowns(event.target.closest ? event.target.closest("details.dropdown") : null);
  });
})();
