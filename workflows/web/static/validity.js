// The browser's own messages for a field the form's checks refuse ("Please fill out this field.") follow the
// language of the browser, not the page's: staff and units read Vietnamese, so each field says it in Vietnamese.
// The server checks every field again and names it in its own words; this only replaces the browser's bubble.
(function () {
  "use strict";
  function message(field) {
    var v = field.validity;
    if (v.valueMissing) {
      if (field.type === "radio" || field.type === "checkbox") { return "Vui lòng chọn một mục."; }
      if (field.type === "file") { return "Vui lòng chọn tệp."; }
      if (field.tagName === "SELECT") { return "Vui lòng chọn một mục trong danh sách."; }
      return "Vui lòng điền mục này.";
    }
    if (v.typeMismatch) {
      return field.type === "email" ? "Địa chỉ thư điện tử chưa đúng (ví dụ: vanthu@caobang.gov.vn)."
        : "Giá trị chưa đúng dạng.";
    }
    if (v.tooLong) { return "Dài quá " + field.maxLength + " ký tự."; }
    if (v.tooShort) { return "Cần ít nhất " + field.minLength + " ký tự."; }
    if (v.rangeUnderflow) { return "Nhỏ nhất là " + field.min + "."; }
    if (v.rangeOverflow) { return "Lớn nhất là " + field.max + "."; }
    if (v.stepMismatch || v.badInput) { return "Vui lòng nhập một số nguyên."; }
    if (v.patternMismatch) { return field.title || "Giá trị chưa đúng dạng."; }
    return "";
  }
  document.addEventListener("invalid", function (event) {
    var field = event.target;
    if (!field || !field.setCustomValidity) { return; }
    field.setCustomValidity("");
    if (!field.validity.valid) { field.setCustomValidity(message(field)); }
  }, true);
  function clear(event) {
    var field = event.target;
    if (!field || !field.setCustomValidity) { return; }
    field.setCustomValidity("");
    if (field.type === "radio" && field.form && field.name) {  // the group's other buttons carry the message too
      var group = field.form.elements.namedItem(field.name);
      if (group && group.length) { Array.prototype.forEach.call(group, function (b) { b.setCustomValidity(""); }); }
    }
  }
  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);
}());
