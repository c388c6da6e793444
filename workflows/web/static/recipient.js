// Recipient page, progressive enhancement only: the form works without this file.
// - "Thêm ý kiến" adds a blank comment row in place (without it, the server re-renders the form);
// - every file chosen (the reply PDF, the PDF of "Không có đề xuất", a form's or a task's attachments) is checked
//   against the limit the page gives (data-max-bytes) when chosen and before anything is sent: a file over it, or
//   an empty one, stops the sending and is named next to its own field, and nothing typed is touched;
// - the list of mistakes of a refused form takes the focus, so it is read first;
// - the send button is disabled once pressed so a double click does not send twice.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () { showFileError(input, fileProblem(input)); });
  });

  // The other forms of the page with files ("Không có đề xuất", the tasks, also on a page that no longer takes
  // answers): their buttons send.
  document.querySelectorAll("form").forEach(function (other) {
    if (other === form || !other.querySelector("input[type=file][data-max-bytes]")) { return; }
    other.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.formNoValidate) { return; }
      if (!filesFine(other)) { event.preventDefault(); }
    });
  });

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

  // "Góp ý đoạn này" (in the kind's verb) beside a part of the draft: its section and text go to the first blank comment row (or a new
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

  function setQuote(row, text, said) {
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
    label.textContent = said;
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
      setQuote(row, quoteOf(block), draft.dataset.quoteLabel);  // "Đoạn dự thảo được góp ý:" in the kind's words
      block.classList.add("d-chosen");
      var radio = form.querySelector("input[name=answer][value=comments]");
      if (radio) { radio.checked = true; }
      var comment = row.querySelector("textarea[name=comment]");
      if (comment) { comment.focus(); }
    });
  }

  form.addEventListener("input", function (event) {
    // Typing a comment means the answer with comments ("Có ý kiến góp ý").
    if (event.target.name === "comment" && event.target.value.trim()) {
      var radio = form.querySelector("input[name=answer][value=comments]");
      if (radio) { radio.checked = true; }
    }
  });

  // Every file input of the page (the reply PDF, the PDF of "Không có đề xuất", a form's attachments, a task's
  // files) says its limit (data-max-bytes, data-max-mb) and how a mistake names it (data-label).
  function fileProblem(input) {
    if (!input.files || !input.files.length) { return null; }
    var chosen = input.files[0];
    var limit = Number(input.dataset.maxBytes);
    var label = input.dataset.label || "Tệp";
    if (limit && chosen.size > limit) {
      var shown = (chosen.size / 1048576).toFixed(1).replace(".", ",");
      return label + ": tệp " + shown + " MB, vượt giới hạn " + input.dataset.maxMb +
        " MB. Hãy chọn tệp nhỏ hơn; những gì đã nhập vẫn còn nguyên.";
    }
    if (chosen.size === 0) {
      var name = chosen.name.normalize("NFC");  // a name from a Mac file system is decomposed (NFD)
      name = name.length > 80 ? name.slice(0, 60) + "…" + name.slice(-12) : name;
      return label + ": tệp \"" + name + "\" rỗng (0 byte). Hãy chọn đúng tệp.";
    }
    return null;
  }

  function showFileError(input, message) {
    var errorId = input.id + "-error";
    var error = document.getElementById(errorId);
    var others = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== errorId;
    });
    var label = document.querySelector("label[for='" + input.id + "']");
    if (!message) {  // another file was chosen: what was said of the last one no longer holds
      if (error) { error.remove(); }
      input.removeAttribute("aria-invalid");
      if (others.length) { input.setAttribute("aria-describedby", others.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
      if (label) { label.classList.remove("invalid"); }
      return;
    }
    if (!error) {
      error = document.createElement("span");
      error.className = "field-error";
      error.id = errorId;
      error.setAttribute("role", "alert");
      var field = input.closest(".file-pick") || input;  // the input drawn in Vietnamese (filepick.js) is wrapped
      var hint = field.nextElementSibling;  // after an attachment's hint, where the server puts it too
      (hint && hint.classList.contains("hint") ? hint : field).insertAdjacentElement("afterend", error);
    }
    error.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", others.concat([errorId]).join(" "));
    if (label) { label.classList.add("invalid"); }
  }

  // The files of `owner` (a form) checked before anything is sent: each mistake shown at its input, the first
  // one focused; false when one was found.
  function filesFine(owner) {
    var first = null;
    owner.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      var problem = fileProblem(input);
      showFileError(input, problem);
      if (problem && !first) { first = input; }
    });
    if (first) { first.focus(); }
    return !first;
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.value !== "send") {
      // Saving unsent or adding a form keeps no file: one over the limit is left out of the post, so that it
      // cannot stop what was asked (a body too large to read would come back refused).
      form.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
        if (fileProblem(input)) { input.disabled = true; }
      });
      return;
    }
    if (!filesFine(form)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    button.textContent = "Đang gửi…";
    window.setTimeout(function () { button.disabled = true; }, 0);
  });
}());
