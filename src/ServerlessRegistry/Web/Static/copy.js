// Copy buttons: a button.copy copies its data-copy text. Without the clipboard API (plain http, old browsers) the
// text next to the button is selected instead, so the visitor can copy it by hand. Pages work without this script.
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button.copy") : null;
  if (!button) return;
  const text = button.getAttribute("data-copy") || "";
  const done = (label) => {
    button.textContent = label;
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  };
  const selectNearby = () => {
    const code = button.parentElement ? button.parentElement.querySelector("code") : null;
    if (code) {
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    done("Press Ctrl+C");
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(() => done("Copied"), selectNearby);
  } else {
    selectNearby();
  }
});
