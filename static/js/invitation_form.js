// The invitation form shows only the fields that apply: recipient fields for a personal
// invitation, the use limit for an open one, services and scopes when DAP is requested.
// Without this script every field is shown and the server checks that they agree.
// Fields that do not apply are hidden *and disabled*, so the browser does not submit them;
// a field the server refused stays visible so its error can be read.
(function () {
  "use strict";
  const form = document.querySelector("form[data-invitation-form]");
  if (!form) return;
  const groups = {
    personal: ["recipient_email", "send_to_recipient"],
    open: ["max_uses"],
    dap: ["services", "dap_provisioning", "dap_support", "dap_duration_days", "dap_auto_extend"],
  };

  function show(name, visible) {
    const wrapper = document.getElementById("div_id_" + name);
    if (!wrapper) return;
    const hasError = wrapper.querySelector(".is-invalid, .invalid-feedback") !== null;
    const on = visible || hasError;
    wrapper.hidden = !on;
    wrapper.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.disabled = !on;
    });
  }

  function update() {
    const kind = form.querySelector('input[name="kind"]:checked');
    const personal = kind !== null && kind.value === "personal";
    const dapBox = form.querySelector('input[name="requests_dap"]');
    const dap = dapBox !== null && dapBox.checked;
    groups.personal.forEach(function (name) { show(name, personal); });
    groups.open.forEach(function (name) { show(name, !personal); });
    groups.dap.forEach(function (name) { show(name, dap); });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "kind" || event.target.name === "requests_dap") update();
  });
  update();
})();
