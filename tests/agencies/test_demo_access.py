from collections import defaultdict

import access
from agencies.models import Membership, Role


def test_demo_has_every_role_in_at_least_two_agencies(demo_referrals):
    agencies_by_role = defaultdict(set)
    for role, agency in Membership.objects.active().values_list("role", "agency"):
        agencies_by_role[role].add(agency)

    assert {role: len(agencies_by_role[role]) >= 2 for role in Role.values} == dict.fromkeys(
        Role.values, True
    )


def test_demo_shows_each_rule(demo_referrals):
    people = demo_referrals["people"]
    referrals = demo_referrals["referrals"]

    def sees(username, reference):
        return access.can_view_referral(people[username], referrals[reference])

    assert sees("sam.whitlock", "FEN-2026-0002")  # shared with the police
    assert not sees("sam.whitlock", "FEN-2026-0003")  # health's, not shared, not listed
    assert sees("lewis.tran", "FEN-2026-0001")  # listed on his panel
    assert sees("owen.price", "FEN-2026-0004")  # break glass, still open
    assert sees("lewis.tran", "FEN-2026-0007")  # allocated to him through guardian
    assert sees("priya.okafor", "FEN-2026-0005")  # her own draft
    assert not sees("helen.marsh", "FEN-2026-0005")  # somebody else's draft
    assert not sees("fiona.hale", "FEN-2026-0001")  # board members see no case
    assert not sees("admin.fenmarsh", "FEN-2026-0001")  # nor does the administrator
