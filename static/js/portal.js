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

// Tables that become cards on phones (.table-cards, static/css/portal.css): each cell gets its
// column's heading as data-label, shown before the value. Without this script the cards still
// fit the screen, only without the column names.
document.querySelectorAll("table.table-cards").forEach(function (table) {
  const headings = Array.from(table.querySelectorAll("thead th")).map(function (th) {
    return th.textContent.trim();
  });
  table.querySelectorAll("tbody tr").forEach(function (row) {
    Array.from(row.children).forEach(function (cell, index) {
      if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && headings[index]) {
        cell.setAttribute("data-label", headings[index]);
      }
    });
  });
});
