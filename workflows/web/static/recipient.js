// Recipient page, progressive enhancement only: the form works without this file.
// - "Thêm ý kiến" adds a blank comment row in place (without it, the server re-renders the form);
// - the reply PDF is checked against the limit the page gives (data-max-bytes) before anything is sent: a file
//   over it stops the sending and is named next to the field, and nothing typed is touched;
// - the list of mistakes of a refused form takes the focus, so it is read first;
// - the send button is disabled once pressed so a double click does not send twice.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }
  if (!form) { return; }
  var rows = document.getElementById("comment-rows");
  var add = document.getElementById("add-row");

  function renumber(row, number) {
    row.id = "row-" + number;
    var legend = row.querySelector("legend");
    if (legend) { legend.textContent = "Ý kiến " + number; }
    row.querySelectorAll("[id]").forEach(function (element) {
      element.id = element.id.replace(/-\d+(-error)?$/, "-" + number + "$1");
    });
    row.querySelectorAll("label[for]").forEach(function (label) {
      label.htmlFor = label.htmlFor.replace(/-\d+$/, "-" + number);
    });
  }

  function blankRow() {
    var last = rows.querySelector("fieldset.r-comment:last-of-type");
    if (!last) { return null; }
    var copy = last.cloneNode(true);
    copy.classList.remove("invalid");
    copy.querySelectorAll(".field-error, .r-quote").forEach(function (element) { element.remove(); });
    copy.querySelectorAll("input, textarea").forEach(function (field) {
      field.value = "";
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
    renumber(copy, rows.querySelectorAll("fieldset.r-comment").length + 1);
    rows.appendChild(copy);
    return copy;
  }

  if (rows && add) {
    add.addEventListener("click", function (event) {
      var copy = blankRow();
      if (!copy) { return; }
      event.preventDefault();
      var first = copy.querySelector("input:not([type=hidden]), textarea");
      if (first) { first.focus(); }
    });
  }

  // "Góp ý đoạn này" beside a part of the draft: its section and text go to the first blank comment row (or a new
  // one) and the comment box takes the focus. Without the script the button posts the form, and the page comes
  // back with the same row filled.
  function isBlank(row) {
    return Array.prototype.every.call(row.querySelectorAll("input, textarea"), function (field) {
      return !field.value.trim();
    });
  }

  function quoteOf(block) {
    var text;
    if (block.classList.contains("d-table")) {
      text = Array.prototype.map.call(block.querySelectorAll("tr"), function (tr) {
        return Array.prototype.map.call(tr.querySelectorAll("td, th"), function (cell) {
          return cell.textContent.replace(/\s+/g, " ").trim();
        }).join(" | ");
      }).join(" / ");
    } else {
      var copy = block.cloneNode(true);
      copy.querySelectorAll("button, ul, ol").forEach(function (element) { element.remove(); });
      text = copy.textContent;
    }
    return text.replace(/\s+/g, " ").trim();
  }

  function setQuote(row, text) {
    var input = row.querySelector("input[name=quote]");
    if (!input) { return; }
    input.value = text;
    var shown = row.querySelector(".r-quote");
    if (!shown) {
      shown = document.createElement("blockquote");
      shown.className = "r-quote";
      shown.id = input.id.replace("quote-", "quoted-");
      input.insertAdjacentElement("afterend", shown);
    }
    shown.textContent = "";
    var label = document.createElement("span");
    label.className = "muted";
    label.textContent = "Đoạn dự thảo được góp ý:";
    shown.appendChild(label);
    shown.appendChild(document.createTextNode(" " + text));
  }

  var draft = document.getElementById("draft-html");
  if (draft && rows) {
    draft.addEventListener("click", function (event) {
      var button = event.target.closest("button.d-pick");
      var block = button && button.closest("[data-section]");
      if (!block) { return; }
      var row = Array.prototype.find.call(rows.querySelectorAll("fieldset.r-comment"), isBlank) || blankRow();
      if (!row) { return; }
      event.preventDefault();
      row.querySelector("input[name=section]").value = block.dataset.section;
      setQuote(row, quoteOf(block));
      block.classList.add("d-chosen");
      var radio = form.querySelector("input[name=answer][value=comments]");
      if (radio) { radio.checked = true; }
      var comment = row.querySelector("textarea[name=comment]");
      if (comment) { comment.focus(); }
    });
  }

  form.addEventListener("input", function (event) {
    // Typing a comment means "Có ý kiến góp ý".
    if (event.target.name === "comment" && event.target.value.trim()) {
      var radio = form.querySelector("input[name=answer][value=comments]");
      if (radio) { radio.checked = true; }
    }
  });

  var file = document.getElementById("reply_pdf");

  function showFileError(message) {
    var error = document.getElementById("reply_pdf-error");
    if (!message) {  // another file was chosen: what was said of the last one no longer holds
      if (error) { error.remove(); }
      file.removeAttribute("aria-invalid");
      file.removeAttribute("aria-describedby");
      return;
    }
    if (!error) {
      error = document.createElement("span");
      error.className = "field-error";
      error.id = "reply_pdf-error";
      error.setAttribute("role", "alert");
      file.insertAdjacentElement("afterend", error);
    }
    error.textContent = message;
    file.setAttribute("aria-invalid", "true");
    file.setAttribute("aria-describedby", "reply_pdf-error");
  }

  function fileTooLarge() {
    if (!file || !file.files || !file.files.length) { return null; }
    var limit = Number(file.dataset.maxBytes);
    var size = file.files[0].size;
    if (!limit || size <= limit) { return null; }
    var shown = (size / 1048576).toFixed(1).replace(".", ",");
    return "Văn bản trả lời: tệp " + shown + " MB, vượt giới hạn " + file.dataset.maxMb +
      " MB. Hãy chọn tệp nhỏ hơn; các ý kiến đã nhập vẫn còn nguyên.";
  }

  if (file) {
    file.addEventListener("change", function () { showFileError(fileTooLarge()); });
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.value !== "send") { return; }
    var tooLarge = fileTooLarge();
    if (tooLarge) {
      event.preventDefault();
      showFileError(tooLarge);
      file.focus();
      return;
    }
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    button.textContent = "Đang gửi…";
    window.setTimeout(function () { button.disabled = true; }, 0);
  });
}());
