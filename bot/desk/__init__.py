"""The web desk's queries and sign-in: plain values out, scope checked with bot.policy."""

from bot.desk.alerts import DeskAlert, DeskAlertService
from bot.desk.cases import CaseFilters, CaseTimeline, DeskCase, DeskCaseService
from bot.desk.map import MapData, MapService
from bot.desk.public import PublicCounts, PublicService
from bot.desk.signin import DeskUser, SigninLink, SigninService

__all__ = [
    "CaseFilters",
    "CaseTimeline",
    "DeskAlert",
    "DeskAlertService",
    "DeskCase",
    "DeskCaseService",
    "DeskUser",
    "MapData",
    "MapService",
    "PublicCounts",
    "PublicService",
    "SigninLink",
    "SigninService",
]
