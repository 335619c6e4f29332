// Copy buttons: <button data-copy-target="#id">. Works without this script too (text is selectable).
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const target = document.querySelector(button.getAttribute("data-copy-target"));
  if (!target) return;
  const text = target.value !== undefined ? target.value : target.textContent;
  const done = button.getAttribute("data-copied-label") || "Copied";
  const restore = button.textContent;
  const announce = () => {
    button.textContent = done;
    setTimeout(() => { button.textContent = restore; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(announce);
  } else {
    if (target.select) target.select();
    document.execCommand("copy");
    announce();
  }
});
