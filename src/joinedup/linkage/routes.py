"""The link review pages and API: a reviewer decides whether two records are the same person,
and can undo a link. Both call ``linkage.review``, which decides who may see which pair."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.deps import ActorDep
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import NotFound
from joinedup.common.ids import parse_id
from joinedup.db import SessionDep
from joinedup.linkage import charts, review
from joinedup.linkage.entities import LinkDecision, ReviewStatus
from joinedup.linkage.realtime import DEFAULT_THRESHOLD_AUTO
from joinedup.linkage.schemas import (
    Answer,
    EvidenceOut,
    LinkDecisionOut,
    ReviewDecisionIn,
    ReviewDecisionOut,
    ReviewOut,
    ReviewSummaryOut,
    SideOut,
    UnmergeIn,
)
from joinedup.web.forms import form_dict, parse_form
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["linkage"], dependencies=[Depends(verify_csrf)])

AUTOMATIC_LINK = DEFAULT_THRESHOLD_AUTO
TABS = {
    "waiting": (ReviewStatus.PENDING,),
    "decided": (ReviewStatus.ACCEPTED, ReviewStatus.REJECTED, ReviewStatus.SETTLED),
}
BANNERS = {
    "same": "You said these records are the same person. They are now linked.",
    "different": (
        "You said these records are not the same person. They will not be linked automatically."
    ),
}
NO_ANSWER = "Select yes if these records are the same person, or no if they are not"
LABELS = {"decision": "whether these are the same person", "note": "the note"}


def _evidence(items: list[dict[str, Any]]) -> list[EvidenceOut]:
    return [EvidenceOut.model_validate(e) for e in items]


def _summary(item: review.QueueItem) -> ReviewSummaryOut:
    return ReviewSummaryOut(
        id=item.id,
        match_probability=item.match_probability,
        reason=item.reason,
        status=item.status.value,
    )


def _review_out(pair: review.PairView) -> ReviewOut:
    r = pair.review
    return ReviewOut(
        id=r.id,
        status=r.status.value,
        match_probability=r.match_probability,
        match_weight=r.match_weight,
        reason=r.reason,
        created_at=r.created_at,
        decided_at=r.decided_at,
        left=SideOut.model_validate(pair.left, from_attributes=True),
        right=SideOut.model_validate(pair.right, from_attributes=True),
        evidence=_evidence(pair.evidence),
    )


def _decision_out(d: LinkDecision) -> LinkDecisionOut:
    return LinkDecisionOut(
        id=d.id,
        kind=d.kind.value,
        match_probability=d.match_probability,
        moved_record_ids=[uuid.UUID(r) for r in d.moved_record_ids],
        partner_record_id=d.partner_record_id,
        review_id=d.review_id,
        undoes_id=d.undoes_id,
        evidence=_evidence(d.evidence),
        note=d.note,
        created_at=d.created_at,
    )


def _queue(session: Session, actor: Actor, tab: str) -> list[review.QueueItem]:
    items: list[review.QueueItem] = []
    for status in TABS[tab]:
        items += review.queue(session, actor, status)
    return sorted(items, key=lambda i: (-i.match_probability, str(i.id)))


def _decide(
    session: Session, actor: Actor, review_id: uuid.UUID, decision_in: ReviewDecisionIn
) -> LinkDecision | None:
    if decision_in.decision == Answer.SAME:
        return review.accept(session, actor, review_id, note=decision_in.note.strip())
    review.reject(session, actor, review_id, note=decision_in.note.strip())
    return None


@router.get("/linkage/reviews", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    status: Annotated[str, Query()] = "waiting",
    decided: Annotated[str, Query()] = "",
) -> HTMLResponse:
    """Pairs of records that may be the same person, waiting for a reviewer (or decided)."""
    tab = status if status in TABS else "waiting"
    context = {
        "items": _queue(session, actor, tab),
        "tab": tab,
        "banner": BANNERS.get(decided),
        "percent": charts.percent,
    }
    return render(request, "linkage/queue.html", context)


def _pair_page(
    request: Request,
    session: Session,
    actor: Actor,
    review_id: uuid.UUID,
    form: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    pair = review.view(session, actor, review_id)
    context = {
        "pair": pair,
        "chart": charts.figure(pair.evidence, "evidence-chart", AUTOMATIC_LINK),
        "percent": charts.percent,
        "form": form,
        "errors": errors,
    }
    return render(request, "linkage/pair.html", context, 422 if errors else 200)


@router.get("/linkage/reviews/{review_id}", response_class=HTMLResponse)
def pair_page(
    request: Request, session: SessionDep, actor: ActorDep, review_id: str
) -> HTMLResponse:
    """Two records side by side with the evidence, and the question (a consultation)."""
    return _pair_page(request, session, actor, record_id(review_id), {}, {})


@router.post("/linkage/reviews/{review_id}", response_model=None)
async def decide_page(
    request: Request, session: SessionDep, actor: ActorDep, review_id: str
) -> Response:
    """Record the reviewer's answer, then go back to the queue."""
    rid = record_id(review_id)
    data = await form_dict(request)
    decision_in, errors = parse_form(ReviewDecisionIn, data, LABELS)
    if decision_in is None:
        if "decision" in errors:
            errors["decision"] = NO_ANSWER
        form = {k: str(v) for k, v in data.items()}
        return _pair_page(request, session, actor, rid, form, errors)
    _decide(session, actor, rid, decision_in)
    return RedirectResponse(
        f"/linkage/reviews?decided={decision_in.decision.value}", status_code=303
    )


def _decision_of(
    session: Session, actor: Actor, person_id: uuid.UUID, decision_id: uuid.UUID
) -> LinkDecision:
    """A decision that linked records into this person's entity, if the reviewer may see it."""
    for decision in review.decisions_for(session, actor, person_id):
        if decision.id == decision_id:
            return decision
    raise NotFound()


def _unmerge_page(
    request: Request,
    decision: LinkDecision,
    person_id: uuid.UUID,
    form: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    context = {
        "decision": decision,
        "person_id": person_id,
        "percent": charts.percent,
        "form": form,
        "errors": errors,
    }
    return render(request, "linkage/unmerge.html", context, 422 if errors else 200)


@router.get("/linkage/decisions/{decision_id}/unmerge", response_class=HTMLResponse)
def unmerge_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    decision_id: str,
    person_id: Annotated[str, Query()] = "",
) -> HTMLResponse:
    """Ask the reviewer to confirm undoing a link (and why)."""
    pid = record_id(person_id)
    decision = _decision_of(session, actor, pid, record_id(decision_id))
    return _unmerge_page(request, decision, pid, {}, {})


@router.post("/linkage/decisions/{decision_id}/unmerge", response_model=None)
async def unmerge_submit(
    request: Request, session: SessionDep, actor: ActorDep, decision_id: str
) -> Response:
    """Undo a link; back to the person page with a confirmation."""
    did = record_id(decision_id)
    data = await form_dict(request)
    person_id = parse_id(str(data.pop("person_id", "")))
    unmerge_in, errors = parse_form(UnmergeIn, data, LABELS)
    if unmerge_in is None:
        if person_id is None:
            raise NotFound()
        decision = _decision_of(session, actor, person_id, did)
        form = {k: str(v) for k, v in data.items()}
        return _unmerge_page(request, decision, person_id, form, errors)
    review.unmerge(session, actor, did, note=unmerge_in.note.strip())
    target = f"/people/{person_id}?link_undone=1" if person_id else "/linkage/reviews"
    return RedirectResponse(target, status_code=303)


@api.get("/link-reviews", response_model=list[ReviewSummaryOut])
def list_reviews(
    session: SessionDep,
    actor: ActorDep,
    status: Annotated[ReviewStatus, Query()] = ReviewStatus.PENDING,
) -> list[ReviewSummaryOut]:
    """Pairs in ``status`` whose two records the caller may see, most likely first."""
    return [_summary(i) for i in review.queue(session, actor, status)]


@api.get("/link-reviews/{review_id}", response_model=ReviewOut)
def get_review(session: SessionDep, actor: ActorDep, review_id: str) -> ReviewOut:
    """A pair side by side with the evidence (a consultation of both records)."""
    return _review_out(review.view(session, actor, record_id(review_id)))


@api.post("/link-reviews/{review_id}", response_model=ReviewDecisionOut)
def decide(
    session: SessionDep, actor: ActorDep, review_id: str, body: ReviewDecisionIn
) -> ReviewDecisionOut:
    """Answer "same" (link the records) or "different" (never link them automatically)."""
    rid = record_id(review_id)
    decision = _decide(session, actor, rid, body)
    status = ReviewStatus.ACCEPTED if body.decision == Answer.SAME else ReviewStatus.REJECTED
    return ReviewDecisionOut(
        id=rid, status=status.value, decision=_decision_out(decision) if decision else None
    )


@api.get("/link-decisions", response_model=list[LinkDecisionOut])
def list_decisions(
    session: SessionDep, actor: ActorDep, person_id: Annotated[str, Query()]
) -> list[LinkDecisionOut]:
    """The decisions that linked records to this person record, newest first."""
    return [_decision_out(d) for d in review.decisions_for(session, actor, record_id(person_id))]


@api.post("/link-decisions/{decision_id}/unmerge", response_model=LinkDecisionOut)
def unmerge(
    session: SessionDep, actor: ActorDep, decision_id: str, body: UnmergeIn
) -> LinkDecisionOut:
    """Undo a link: the records it moved go back apart, and are never linked automatically."""
    undo = review.unmerge(session, actor, record_id(decision_id), note=body.note.strip())
    return _decision_out(undo)
