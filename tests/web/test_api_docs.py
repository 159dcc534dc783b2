"""The API docs page and the OpenAPI document, served without any external resource."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_api_docs_page_is_served_locally(client: TestClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in response.text
    assert "/static/swagger/swagger-ui-bundle.js" in response.text
    assert "/static/swagger/swagger-ui.css" in response.text
    assert "/api/openapi.json" in response.text


def test_api_docs_page_references_no_external_url(client: TestClient) -> None:
    text = client.get("/api/docs").text
    assert not re.search(r"https?://", text)
    assert "//cdn" not in text
    assert '"validatorUrl": null' in text


def test_api_docs_files_exist(client: TestClient) -> None:
    text = client.get("/api/docs").text
    urls = re.findall(r'(?:href|src)="(/[^"]+)"', text)
    assert len(urls) == 3  # stylesheet, favicon, script
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_api_docs_inline_script_carries_the_nonce(client: TestClient) -> None:
    response = client.get("/api/docs")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert nonce
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)
    assert inline == [f'<script nonce="{nonce.group(1)}">']


def test_openapi_document_is_valid(client: TestClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "JoinedUp API"
    assert doc["info"]["version"]
    assert isinstance(doc["paths"], dict)
    assert "/api/docs" not in doc["paths"]
    for path, operations in doc["paths"].items():
        assert path.startswith("/")
        for method, operation in operations.items():
            assert method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
            assert "responses" in operation
