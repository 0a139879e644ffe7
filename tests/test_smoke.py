from tests.support.tenants import auth


async def test_health_and_index(client):
    assert (await client.get("/health/live")).status_code == 200
    ready = await client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    r = await client.get("/t/alpha/v1/", headers=auth("alpha"))
    assert r.status_code == 200, r.text
    assert r.json()["tenant"] == "alpha"
