"""The Service Automation portal in a real browser, against a manual-clock psa-sim server.

Each test does what a user does (clicks, typing) and checks what the page shows; time
moves only when the test advances the server's clock, so every "without reloading"
step is observed while the page stays open (a marker set on `window` must survive).
"""

from __future__ import annotations

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


def keep_page(portal) -> None:
    portal.driver.execute_script("window.__samePage = true")


def assert_same_page(portal) -> None:
    assert portal.driver.execute_script("return window.__samePage === true"), "the page reloaded"


def test_root_leads_to_login_then_service_automation(portal):
    portal.open("/")
    portal.visible("#login-user")
    assert portal.driver.current_url.endswith("/automation-dashboard/#/login")
    portal.css("#login-user").send_keys("admin")
    portal.css("#login-password").send_keys("wrong")
    portal.css("#login-form button[type=submit]").click()
    portal.wait(lambda: "Wrong user name or password" in portal.css("#login-error").text)
    portal.login("admin", "admin")
    assert "#/portal/service-automation" in portal.driver.current_url
    cards = portal.all('#tab-activation [data-do="pick"]')
    names = {card.get_attribute("data-workflow") for card in cards}
    # activations only (VOID origin): MongoDB and Reserve_Nodes, never an action
    assert {"MongoDB", "Reserve_Nodes", "Kafka"} <= names
    assert not names & {"Pause_MongoDB", "Finish_MongoDB", "Deploy_Swarm"}


def test_login_by_keyboard_only(portal):
    portal.open("/")
    portal.visible("#login-user").send_keys("admin", Keys.TAB, "admin", Keys.ENTER)
    portal.visible('.tabs a[data-tab="activation"][aria-current="page"]')


def test_variables_form_follows_the_models(portal):
    portal.login("admin", "admin")
    form = portal.pick("MongoDB")
    assert portal.field(form, "ENGINE").tag_name == "select"  # PA:List
    options = [o.text for o in portal.field(form, "ENGINE").find_elements(By.TAG_NAME, "option")]
    assert options == ["docker", "singularity"]
    assert portal.field(form, "PASSWORD").get_attribute("type") == "password"  # PA:HIDDEN
    port = portal.field(form, "SERVICE_PORT")
    assert port.get_attribute("type") == "number"  # PA:Integer
    assert port.get_attribute("value") == "-1"  # default filled
    assert not port.is_displayed()  # advanced: folded away
    build = portal.field(form, "BUILD_IMAGE_IF_NOT_EXISTS")
    assert build.get_attribute("type") == "checkbox"  # PA:Boolean
    legends = [e.text for e in form.find_elements(By.CSS_SELECTOR, "fieldset > legend")]
    assert "Service Parameters" in legends and "Database Parameters" in legends
    # every input has its label
    for box in form.find_elements(By.CSS_SELECTOR, "input, select"):
        assert form.find_elements(By.CSS_SELECTOR, f'label[for="{box.get_attribute("id")}"]')


def test_bad_integer_shows_the_servers_message_next_to_the_field(portal):
    portal.login("admin", "admin")
    form = portal.pick("MongoDB")
    portal.set_field(form, "SERVICE_PORT", "12.5")
    portal.submit(form)
    error = portal.visible('[data-variable="SERVICE_PORT"] .field-error')
    assert error.text == "'12.5' is not an Integer (model PA:Integer)"
    assert "invalid" in portal.css('[data-variable="SERVICE_PORT"]').get_attribute("class")
    assert not portal.css('[data-variable="ENGINE"] .field-error').text


def test_mongodb_from_activation_to_clean(portal, advance):
    portal.login("admin", "admin")
    keep_page(portal)
    instance = portal.activate("MongoDB", INSTANCE_NAME="portal-mongo")
    portal.tab("activated")
    row = portal.row("activated", instance)
    assert "portal-mongo" in row.text
    portal.wait_state(instance, "VOID -> RUNNING")
    # transitioning: only the kill is offered
    assert not row.find_elements(By.CSS_SELECTOR, '[data-do="action"]')
    assert row.find_elements(By.CSS_SELECTOR, '[data-do="kill"]')

    # the simulator panel moves time; Activated Services shows RUNNING without a reload
    portal.tab("simulator")
    seconds = portal.visible("#sim-seconds")
    seconds.clear()
    seconds.send_keys("600")
    portal.css('form[data-sim="advance"] button[type=submit]').click()
    portal.notice("Simulated time now")
    portal.tab("activated")
    portal.wait_state(instance, "RUNNING")
    link = portal.row("activated", instance).find_element(By.CSS_SELECTOR, "a.endpoint")
    assert link.get_attribute("href").startswith("mongodb://")
    assert link.text == f"mongodb-endpoint-{instance}"

    portal.run_action(instance, "Pause_MongoDB")
    portal.wait_state(instance, "RUNNING -> PAUSED")
    advance(300)
    portal.wait_state(instance, "PAUSED")
    buttons = portal.row("activated", instance).find_elements(By.CSS_SELECTOR, '[data-do="action"]')
    assert {b.text for b in buttons} == {"Resume_MongoDB", "Finish_MongoDB"}
    portal.run_action(instance, "Resume_MongoDB")
    advance(300)
    portal.wait_state(instance, "RUNNING")

    portal.tab("jobs")
    group = portal.visible(f'#tab-jobs .jobs-group[data-instance="{instance}"]')
    portal.wait(lambda: len(group.find_elements(By.CSS_SELECTOR, "tr[data-job]")) == 3)
    portal.wait(lambda: "RUNNING" in group.find_elements(By.CSS_SELECTOR, "tr[data-job]")[-1].text)
    assert "VOID -> RUNNING" in group.text and "RUNNING -> PAUSED" in group.text
    # each job as the scheduler lists it: the pause ran and ended, under its workflow's name
    pause = next(
        r for r in group.find_elements(By.CSS_SELECTOR, "tr[data-job]") if "-> PAUSED" in r.text
    )
    assert "Pause_MongoDB" in pause.text and "FINISHED" in pause.text
    group.find_elements(By.CSS_SELECTOR, '[data-do="log"]')[-1].click()
    assert "submitted" in portal.visible("#dialog pre.log").text
    portal.css("#dialog-close").click()

    portal.tab("activated")
    portal.run_action(instance, "Finish_MongoDB")
    advance(300)
    portal.tab("finished")
    portal.wait_state(instance, "FINISHED", tab="finished")
    row = portal.row("finished", instance)
    row.find_element(By.CSS_SELECTOR, "summary").click()
    assert "portal-mongo" in row.find_element(By.CSS_SELECTOR, "table.kv").text
    row.find_element(By.CSS_SELECTOR, '[data-do="clean"]').click()
    portal.confirm("no")
    assert portal.row("finished", instance)
    portal.row("finished", instance).find_element(By.CSS_SELECTOR, '[data-do="clean"]').click()
    portal.confirm("yes")
    portal.wait(lambda: not portal.all(f'#tab-finished tr[data-instance="{instance}"]'))
    assert_same_page(portal)


def test_kill_asks_for_confirmation(portal, advance):
    portal.login("admin", "admin")
    instance = portal.activate("MongoDB", INSTANCE_NAME="to-kill", PASSWORD="s3cret", USER="me")
    advance(600)
    portal.tab("activated")
    portal.wait_state(instance, "RUNNING")
    portal.row("activated", instance).find_element(By.CSS_SELECTOR, '[data-do="info"]').click()
    details = portal.visible("#dialog-body")
    assert "s3cret" not in details.text and "******" in details.text  # PA:HIDDEN masked
    assert "localnodes-host" in details.text  # deployment: node and host
    portal.css("#dialog-close").click()
    portal.row("activated", instance).find_element(By.CSS_SELECTOR, '[data-do="kill"]').click()
    portal.confirm("yes")
    portal.notice(f"Instance {instance} killed")
    portal.tab("finished")
    portal.wait_state(instance, "KILLED", tab="finished")


def test_a_plain_user_sees_only_their_instances(portal, browser_paths, advance):
    portal.login("alice", "alice-pw")
    assert not portal.css('.tabs a[data-tab="simulator"]').is_displayed()  # not an admin
    mine = portal.activate("MongoDB", INSTANCE_NAME="alice-db")
    advance(600)
    portal.tab("activated")
    portal.wait_state(mine, "RUNNING")
    portal.logout()
    portal.login("bob", "bob-pw")
    theirs = portal.activate("MongoDB", INSTANCE_NAME="bob-db")
    portal.tab("activated")
    portal.row("activated", theirs)
    assert not portal.all(f'#tab-activated tr[data-instance="{mine}"]')
    assert "alice-db" not in portal.css("#tab-activated").text
    portal.tab("jobs")
    portal.visible(f'#tab-jobs .jobs-group[data-instance="{theirs}"]')
    assert not portal.all(f'#tab-jobs .jobs-group[data-instance="{mine}"]')


def test_spark_hdfs_chain_walked_by_buttons(portal, advance):
    portal.login("admin", "admin")
    instance = portal.activate("Reserve_Nodes", INSTANCE_NAME="portal-spark")
    advance(600)
    portal.tab("activated")
    portal.wait_state(instance, "PA_NODES_RESERVED")
    for action, state in [
        ("Deploy_Swarm", "SWARM_DEPLOYED"),
        ("Deploy_HDFS", "HDFS_DEPLOYED"),
        ("Deploy_Spark", "HDFS_SPARK_DEPLOYED"),
    ]:
        portal.wait(
            lambda action=action: portal.row("activated", instance).find_elements(
                By.CSS_SELECTOR, f'[data-do="action"][data-workflow="{action}"]'
            ),
            what=f"{action} offered",
        )
        portal.run_action(instance, action)
        advance(600)
        portal.wait_state(instance, state)
    endpoints = {
        e.text
        for e in portal.row("activated", instance).find_elements(By.CSS_SELECTOR, ".endpoint")
    }
    assert {"HDFS_UI", "SPARK_UI"} <= endpoints


def test_full_services_view_submits_creation_workflows_only(portal):
    portal.login("admin", "admin")
    view = portal.tab("services")
    portal.visible("#tab-services .service")
    submits = {
        b.get_attribute("data-workflow")
        for b in view.find_elements(By.CSS_SELECTOR, "[data-do=submit]")
    }
    assert "MongoDB" in submits and "Reserve_Nodes" in submits
    assert "Pause_MongoDB" in view.text and "Pause_MongoDB" not in submits
    view.find_element(By.CSS_SELECTOR, '[data-do="submit"][data-workflow="MongoDB"]').click()
    form = portal.visible('#dialog form.variables[data-workflow="MongoDB"]')
    portal.set_field(form, "INSTANCE_NAME", "from-full-view")
    portal.submit(form)
    instance = int(portal.notice(r"Instance (\d+) of MongoDB submitted").group(1))
    portal.tab("activated")
    assert "from-full-view" in portal.row("activated", instance).text


def test_monitoring_draws_charts(portal, advance):
    portal.login("admin", "admin")
    portal.tab("monitoring")
    portal.wait(lambda: len(portal.all("#tab-monitoring svg.chart")) == 3)
    captions = portal.css("#tab-monitoring").text
    assert "Instances per state" in captions and "Queued jobs" in captions
    assert "busy" in captions and "holding tokens" in captions and "down" in captions


def test_long_lists_are_paged(portal, server):
    sid = requests.post(
        f"{server.url}/rest/common/login", data={"username": "carol", "password": "carol-pw"}
    ).text
    body = {"bucket_name": "service-automation", "workflow_name": "MongoDB", "variables": {}}
    ids = [
        requests.post(
            f"{server.url}/cloud-automation-service/serviceInstances",
            json=body,
            headers={"sessionid": sid},
        ).json()["instance_id"]
        for _ in range(55)
    ]
    portal.login("carol", "carol-pw")
    view = portal.tab("activated")
    portal.wait(lambda: "1–50 of 55" in view.text)
    assert len(view.find_elements(By.CSS_SELECTOR, "tr[data-instance]")) == 50
    portal.row("activated", ids[-1])  # newest first
    view.find_element(By.CSS_SELECTOR, '[data-do="page"][data-key="activated-next"]').click()
    portal.wait(lambda: "51–55 of 55" in portal.css("#tab-activated").text)
    portal.row("activated", ids[0])


def test_activation_by_keyboard(portal):
    portal.login("admin", "admin")
    card = portal.visible('#tab-activation [data-do="pick"][data-workflow="MongoDB"]')
    portal.driver.execute_script("arguments[0].focus()", card)
    card.send_keys(Keys.ENTER)  # a button: Enter picks it, the form takes the focus
    portal.visible('#tab-activation form.variables[data-workflow="MongoDB"]')
    focused = portal.driver.switch_to.active_element
    assert focused.get_attribute("name") == "INSTANCE_NAME"
    focused.send_keys(Keys.CONTROL, "a")
    focused.send_keys("typed-db", Keys.ENTER)  # Enter in a field submits the form
    instance = int(portal.notice(r"Instance (\d+) of MongoDB submitted").group(1))
    portal.tab("activated")
    assert "typed-db" in portal.row("activated", instance).text
