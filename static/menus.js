// The header's menus are <details>, which open and close without JavaScript. This only adds what
// people expect of a menu: it closes on a click elsewhere, on Escape (back to its button), and when
// another one opens.
(function () {
  "use strict";
  function openMenus() {
    return document.querySelectorAll(".site-header details[open]");
  }
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var inside = event.target.closest && event.target.closest(".site-header details[open]");
    if (inside) {
      inside.open = false;
      inside.querySelector("summary").focus();
    }
  });
})();
