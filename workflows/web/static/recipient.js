// Recipient page, progressive enhancement only: the form works without this file.
// "Thêm ý kiến" adds a blank comment row in place (without it, the server re-renders the form),
// and the send button is disabled once pressed so a double click does not send twice.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var rows = document.getElementById("comment-rows");
  var add = document.getElementById("add-row");
  if (rows && add) {
    add.addEventListener("click", function (event) {
      var last = rows.querySelector("fieldset.r-comment:last-of-type");
      if (!last) { return; }
      event.preventDefault();
      var copy = last.cloneNode(true);
      copy.classList.remove("invalid");
      copy.querySelectorAll("input, textarea").forEach(function (field) { field.value = ""; });
      var legend = copy.querySelector("legend");
      if (legend) { legend.textContent = "Ý kiến " + (rows.querySelectorAll("fieldset.r-comment").length + 1); }
      rows.appendChild(copy);
      var first = copy.querySelector("input, textarea");
      if (first) { first.focus(); }
    });
  }
  form.addEventListener("input", function (event) {
    // Typing a comment means "Có ý kiến góp ý".
    if (event.target.name === "comment" && event.target.value.trim()) {
      var radio = form.querySelector("input[name=answer][value=comments]");
      if (radio) { radio.checked = true; }
    }
  });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.value === "send") {
      if (form.dataset.sending) { event.preventDefault(); return; }
      form.dataset.sending = "1";
      button.textContent = "Đang gửi…";
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  });
}());
