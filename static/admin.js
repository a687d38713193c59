// Copy buttons: copy the text of the element named by data-copy, and say so on the button.
(function () {
  "use strict";
  function copied(button, ok) {
    var label = button.textContent;
    // The words come from the page, in the admin's language.
    button.textContent = ok ? button.getAttribute("data-done") : button.getAttribute("data-failed");
    setTimeout(function () { button.textContent = label; }, 1500);
  }
  function fallback(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) { return; }
    var node = document.getElementById(button.getAttribute("data-copy"));
    if (!node) { return; }
    var text = node.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { copied(button, true); },
        function () { copied(button, fallback(node)); }
      );
    } else {
      copied(button, fallback(node));
    }
  });
})();
