// A file field's button and words follow the browser's language ("Choose File", "No file chosen"), not the page's:
// staff and units read Vietnamese, so each file field shows "Chọn tệp" and "Chưa chọn tệp", then the chosen file's
// name and size ("bao-cao.pdf · 1,2 MB") or how many were chosen ("3 tệp").
// The real input stays where it was, in the tab order and under its label, only made transparent and laid over
// the Vietnamese button: a click, Space or Enter on it, or a file dropped on it, opens or fills the browser's own
// picker. Without this file the browser's own input shows and works.
(function () {
  "use strict";
  var NONE = "Chưa chọn tệp";

  // Bytes as Vietnamese write a file's size, as the server does (service/attachments.shown_size): 812 B, 12 KB,
  // 3,4 MB.
  function shownSize(size) {
    if (size < 1024) { return size + " B"; }
    if (size < 1048576) { return Math.round(size / 1024) + " KB"; }
    return (size / 1048576).toFixed(1).replace(".", ",") + " MB";
  }

  function chosenWords(input) {
    var files = input.files;
    if (!files || !files.length) { return NONE; }
    if (files.length > 1) { return files.length + " tệp"; }
    // a name from a Mac file system is decomposed (NFD): composed, its diacritics draw as one letter each
    return files[0].name.normalize("NFC") + " · " + shownSize(files[0].size);
  }

  function dress(input) {
    var pick = document.createElement("span");
    pick.className = "file-pick";
    var button = document.createElement("span");
    button.className = "file-pick-button";
    button.textContent = "Chọn tệp";
    var chosen = document.createElement("span");
    chosen.className = "file-pick-name";
    // The input itself is what a screen reader reads (its label, its hints and errors): these words only draw it.
    button.setAttribute("aria-hidden", "true");
    chosen.setAttribute("aria-hidden", "true");
    input.insertAdjacentElement("beforebegin", pick);
    pick.appendChild(input);
    pick.appendChild(button);
    pick.appendChild(chosen);

    function refresh() {
      var words = chosenWords(input);
      chosen.textContent = words;
      chosen.title = words === NONE ? "" : words;
      pick.classList.toggle("chosen", words !== NONE);
    }
    input.addEventListener("change", refresh);
    input.addEventListener("input", refresh);
    if (input.form) {  // a reset empties the field after the event: read it once it has
      input.form.addEventListener("reset", function () { window.setTimeout(refresh, 0); });
    }
    window.addEventListener("pageshow", refresh);  // Back to the page: the browser may give the files back
    refresh();
  }

  document.querySelectorAll("input[type=file]").forEach(dress);
}());
