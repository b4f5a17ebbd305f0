// 新建评价 and 评价进度: uploads by drag and drop or the file picker (one request a file, the
// CSRF token in the header), an uploaded rule file sent with the scheme form, the 问题清单's
// filters, and a job's progress read every second until it ends. Without script the forms
// still post (all but the uploads).
"use strict";

(function () {
  const api = window.mujun.api;
  const message = document.getElementById("message");
  const show = (text) => { if (message) { message.textContent = text; message.hidden = false; } };

  async function upload(files) {
    for (const f of files) {
      const body = new FormData();
      body.append("file", f, f.name);
      try {
        await api("/api/drafts/files", { method: "POST", body });
      } catch (e) {
        show(e.message);
        return;
      }
    }
    location.reload();
  }

  const drop = document.getElementById("drop");
  const picker = document.getElementById("files");
  if (drop && picker) {
    picker.addEventListener("change", () => upload(picker.files));
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      upload(e.dataTransfer.files);
    });
  }

  const schemeForm = document.getElementById("scheme-form");
  const rules = document.getElementById("rules");
  if (schemeForm && rules) {
    schemeForm.addEventListener("submit", async (e) => {
      if (!rules.files.length) return; // a plain form post
      e.preventDefault();
      const body = new FormData();
      body.append("year", document.getElementById("year").value);
      body.append("rules", rules.files[0], rules.files[0].name);
      try {
        await api("/api/drafts/scheme", { method: "POST", body });
        location.reload();
      } catch (err) {
        show(err.message);
      }
    });
  }

  const filters = document.getElementById("problem-filters");
  const problems = document.getElementById("problems");
  if (filters && problems) {
    const apply = () => {
      const wanted = [...filters.querySelectorAll("[data-col]")].map((el) => [Number(el.dataset.col), el.value.trim()]);
      for (const row of problems.tBodies[0].rows) {
        const ok = wanted.every(([col, v]) => !v || row.cells[col].textContent.includes(v));
        row.hidden = !ok;
      }
    };
    filters.addEventListener("input", apply);
    filters.addEventListener("change", apply);
  }

  const job = document.getElementById("job");
  if (job && job.dataset.live === "true") {
    const id = job.dataset.job;
    const tick = async () => {
      try {
        const j = await api("/api/jobs/" + id);
        document.getElementById("job-state").textContent = j.state;
        document.getElementById("job-phase").textContent = j.phase;
        document.getElementById("job-message").textContent = j.message;
        if (j.state === "完成" || j.state === "失败") { location.reload(); return; }
      } catch (e) { /* the next tick tries again */ }
      setTimeout(tick, 1000);
    };
    setTimeout(tick, 1000);
  }
})();
