// Ready-made reasons and messages on the back office's application page. Without JavaScript, "Use this text"
// reloads the page with the text in the box (the server fills it from ?for=…&template=…); with it, the same
// button fills the box at once, from the texts the page carries in #reason-templates, and nothing reloads.
(function () {
  "use strict";

  var data = document.getElementById("reason-templates");
  if (!data) {
    return;
  }
  var texts = JSON.parse(data.textContent);
  document.querySelectorAll("form[data-reason-template]").forEach(function (form) {
    var action = form.dataset.reasonTemplate;
    var select = form.querySelector("select");
    var box = document.getElementById(form.dataset.target);
    if (!select || !box || !texts[action]) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var text = texts[action][select.value];
      if (typeof text !== "string") {
        return; // the server answers instead
      }
      event.preventDefault();
      box.value = text;
      box.focus();
    });
  });
})();
