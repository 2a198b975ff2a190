"""JupyterLab's server: started on loopback, it lists the notebooks through its REST API and runs
one through a kernel it starts (what `make lab` relies on)."""

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from tornado.websocket import websocket_connect

from repro import paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port, token = free_port(), uuid.uuid4().hex
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={paths.NOTEBOOKS}",
         "--allow-root"],  # CI runs as root
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            api(base, token, "GET", "/api/status")
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("the Jupyter server did not start within 60 s")
            time.sleep(0.3)
    yield base, token
    proc.terminate()
    proc.wait(timeout=30)


def api(base, token, method, path, body=None):
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def test_server_lists_every_notebook(server):
    base, token = server
    listed = {item["name"] for item in api(base, token, "GET", "/api/contents")["content"]}
    on_disk = {p.name for p in paths.NOTEBOOKS.glob("*.ipynb")}
    assert on_disk <= listed and "overview.ipynb" in listed


def decode_frame(frame) -> dict:
    """One websocket frame as a message. A message that carries binary buffers (a widget's image, say)
    comes as a binary frame: a count of offsets, the offsets, then the JSON message and the buffers
    (returned under "buffers")."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i: 8 + 4 * i], "big") for i in range(count)] + [len(frame)]
    message = json.loads(frame[offsets[0]:offsets[1]].decode("utf-8"))
    message["buffers"] = [frame[a:b] for a, b in zip(offsets[1:-1], offsets[2:])]
    return message


async def run_cells(base, token, kernel_id, cells, messages=None):
    """Execute ``cells`` one by one in the kernel over the websocket, as JupyterLab does; return what
    they printed. Every message the kernel sends back is appended to ``messages`` if given. A cell
    may also be a comm message's content (a dict): a widget's front end writing to its model."""
    url = base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?token={token}"
    connection = await websocket_connect(url)
    session, outputs = uuid.uuid4().hex, []
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            msg_type, content = (("comm_msg", code) if isinstance(code, dict) else
                                 ("execute_request", {"code": code, "silent": False, "store_history": False,
                                                      "user_expressions": {}, "allow_stdin": False,
                                                      "stop_on_error": True}))
            await connection.write_message(json.dumps({
                "header": {"msg_id": msg_id, "session": session, "username": "test", "msg_type": msg_type,
                           "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [], "content": content}))
            # Outputs arrive on iopub and the reply on shell, in no fixed order: a cell is done when
            # both its reply and the kernel's return to idle (sent after its last output) are in.
            replied = idle = False
            while not (replied and idle):
                message = decode_frame(await asyncio.wait_for(connection.read_message(), timeout=120))
                if message["parent_header"].get("msg_id") != msg_id:
                    continue
                if messages is not None:
                    messages.append(message)
                if message["msg_type"] == "stream":
                    outputs.append(message["content"]["text"])
                if message["msg_type"] == "error":
                    raise AssertionError(f"{message['content']['ename']}: {message['content']['evalue']}")
                if message["msg_type"] == "execute_reply":
                    assert message["content"]["status"] == "ok"
                    replied = True
                if msg_type == "comm_msg" and message["msg_type"] == "status" \
                        and message["content"]["execution_state"] == "busy":
                    replied = True  # a comm message has no reply: the kernel's busy, then idle, frame it
                if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                    idle = True
    finally:
        connection.close()
    return "".join(outputs)


def test_server_runs_a_notebook_through_a_kernel_it_starts(server):
    base, token = server
    notebook = api(base, token, "GET", "/api/contents/overview.ipynb")["content"]
    cells = [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]
    kernel = api(base, token, "POST", "/api/kernels", {"name": "python3"})
    try:
        printed = asyncio.run(run_cells(base, token, kernel["id"], cells))
    finally:
        api(base, token, "DELETE", f"/api/kernels/{kernel['id']}")
    assert "16 пунктов SWOT" in printed  # the paper's notebooks speak its language by default
    assert "сумма движущих сил 11,3, сумма сил сопротивления 11,5, чистая сила −0,2" in printed


def test_jupyterlab_has_the_widget_manager_the_explorer_needs():
    listed = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"], capture_output=True,
                            text=True, timeout=120)
    shown = listed.stdout + listed.stderr
    assert "@jupyter-widgets/jupyterlab-manager" in shown and "enabled" in shown, shown


def test_the_explorer_sends_its_widgets_to_the_front_end(server):
    """What JupyterLab's widget manager receives when the explorer notebook runs: a slider model per
    score (8 for the paper), a noise menu, and a widget view to display."""
    base, token = server
    notebook = api(base, token, "GET", "/api/contents/explore.ipynb")["content"]
    cells = [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]
    kernel = api(base, token, "POST", "/api/kernels", {"name": "python3"})
    messages = []
    try:
        asyncio.run(run_cells(base, token, kernel["id"], cells, messages))
    finally:
        api(base, token, "DELETE", f"/api/kernels/{kernel['id']}")
    models = [m["content"]["data"]["state"]["_model_name"] for m in messages
              if m["msg_type"] == "comm_open" and m["content"].get("target_name") == "jupyter.widget"]
    sliders = [name for name in models if "Slider" in name]
    assert len(sliders) >= 8 + 1, models  # one per score, and the half-width
    assert "DropdownModel" in models
    views = [m for m in messages if m["msg_type"] in ("display_data", "execute_result")
             and "application/vnd.jupyter.widget-view+json" in m["content"]["data"]]
    assert views, "no widget view was displayed"


def test_one_slider_move_in_the_explorer_sends_one_picture_and_one_table(server):
    """The explorer notebook runs in a kernel; then the browser's widget manager moves R2's slider to 3.8
    (a comm message to the slider's model, as JupyterLab sends it when the slider is released). The
    kernel answers with exactly one new picture (a PNG, as one binary buffer), one new claims table,
    the slider's echo of its value and the moved slider's readout (the value as a reader of the
    explorer's language writes it, 3,8 in Russian: issue 18): nothing else reaches the browser, not
    even the readouts of the sliders that did not move."""
    base, token = server
    notebook = api(base, token, "GET", "/api/contents/explore.ipynb")["content"]
    cells = [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]
    kernel = api(base, token, "POST", "/api/kernels", {"name": "python3"})
    opened, moved = [], []
    try:
        asyncio.run(run_cells(base, token, kernel["id"], cells, opened))
        models = {m["content"]["comm_id"]: m["content"]["data"]["state"] for m in opened
                  if m["msg_type"] == "comm_open" and m["content"].get("target_name") == "jupyter.widget"}
        slider = next(comm for comm, state in models.items()
                      if state["_model_name"] == "FloatSliderModel" and state.get("description") == "R2")
        asyncio.run(run_cells(base, token, kernel["id"], [
            {"comm_id": slider, "data": {"method": "update", "state": {"value": 3.8}, "buffer_paths": []}}], moved))
    finally:
        api(base, token, "DELETE", f"/api/kernels/{kernel['id']}")
    updates = [m for m in moved if m["msg_type"] == "comm_msg"]
    kinds = {comm: models[comm]["_model_name"] for comm in (m["content"]["comm_id"] for m in updates)}
    assert sorted((kinds[m["content"]["comm_id"]], m["content"]["data"]["method"]) for m in updates) == [
        ("FloatSliderModel", "echo_update"), ("HTMLModel", "update"), ("ImageModel", "update"),
        ("LabelModel", "update")], updates
    readout = next(m for m in updates if kinds[m["content"]["comm_id"]] == "LabelModel")["content"]["data"]["state"]
    assert readout == {"value": "3,8"}  # the paper's explorer speaks Russian: a decimal comma
    image = next(m for m in updates if kinds[m["content"]["comm_id"]] == "ImageModel")
    assert image["content"]["data"]["buffer_paths"] == [["value"]] and len(image["buffers"]) == 1
    assert image["buffers"][0].startswith(b"\x89PNG\r\n\x1a\n")
    table = next(m for m in updates if kinds[m["content"]["comm_id"]] == "HTMLModel")["content"]["data"]["state"]
    assert list(table) == ["value"] and "R2 = 3,8" in table["value"] and "<table" in table["value"]
    assert not [m for m in moved if m["msg_type"] in ("error", "stream", "display_data")], moved
