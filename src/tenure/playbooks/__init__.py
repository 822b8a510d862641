"""Playbooks: rules on account state that open calls to action, write digital touches and escalate."""
