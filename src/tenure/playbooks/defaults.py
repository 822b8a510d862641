"""The default playbooks that `tenure init` writes into tenure.yaml, and that apply when the section is absent."""

from __future__ import annotations

import yaml

DEFAULT_PLAYBOOKS_YAML = """\
playbooks:
  escalate_after_days: 7        # an overdue CTA climbs one step of the chain every 7 days past due
  escalation: [owner, manager, director]
  definitions:                  # named playbooks: the tasks a CTA brings, who does them, due days after opening
    save:
      description: Turn a red account around before its renewal
      steps:
        - {title: Review the health drivers and call the champion, owner_role: owner, due_days: 3}
        - {title: Agree a recovery plan with the customer's sponsor, owner_role: owner, due_days: 10}
        - {title: Manager reviews the recovery plan and the renewal risk, owner_role: manager, due_days: 14}
    renewal-rescue:
      description: A renewal the model says may be lost
      steps:
        - {title: Confirm the decision maker and the renewal process, owner_role: owner, due_days: 5}
        - {title: Executive sponsor call, owner_role: director, due_days: 14}
    sponsor-lost:
      description: The champion or executive sponsor left
      steps:
        - {title: Find and meet the new sponsor, owner_role: owner, due_days: 14}
    expansion:
      description: The customer is outgrowing its contract
      steps:
        - {title: Confirm the need for more seats with the champion, owner_role: owner, due_days: 7}
        - {title: Hand the opportunity to the account executive, owner_role: sales, due_days: 14}
  rules:                        # a condition on account state (every key must hold) and an action
    - name: red-health
      when: {band: red}
      segments: [Enterprise, Mid-Market]
      kind: risk
      priority: high
      playbook: save
      reason: Health score is red
    - name: renewal-at-risk
      when: {renewal_within_days: 120, churn_probability_above: 0.3}
      kind: renewal
      priority: urgent
      playbook: renewal-rescue
      reason: Renewal within 120 days with a churn probability above 30%
    - name: usage-drop
      when: {metric: usage_trend_30d, below: -0.4}
      segments: [Enterprise, Mid-Market]
      kind: risk
      priority: medium
      due_days: 10
      reason: Usage down more than 40% against the prior 30 days
    - name: sponsor-departed
      when: {sponsor_departed: true}
      kind: risk
      priority: high
      playbook: sponsor-lost
      due_days: 14
      reason: The champion or executive sponsor left
    - name: expansion-utilisation
      when: {metric: seat_utilisation, above: 0.9}
      kind: expansion
      playbook: expansion
      due_days: 14
      reason: More than 90% of the seats are in use
    - name: handoff-missing
      when: {customer_for_at_most_days: 30, handoff_incomplete: true}
      segments: [Enterprise, Mid-Market]
      kind: lifecycle
      priority: high
      due_days: 5
      reason: Onboarding started without a complete sales-to-CS handoff
    - name: digital-red
      when: {band: red}
      segments: [SMB]
      message:
        subject: "{{ account.name }}: can we help you get more from the product?"
        body: |
          Hi {{ account.name }} team,
          we noticed fewer of your people using the product lately. Reply to this message and a
          specialist will set up a 20-minute session to get you back on track.
"""


def default_playbooks():
    from tenure.playbooks.config import Playbooks

    return Playbooks.model_validate(yaml.safe_load(DEFAULT_PLAYBOOKS_YAML)["playbooks"])
