"""Tests for the stand-in's Block Kit validator (bot/standin/blockkit.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ChannelSelectElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    ConversationMultiSelectElement,
    ConversationSelectElement,
    DatePickerElement,
    DateTimePickerElement,
    DividerBlock,
    EmailInputElement,
    ExternalDataSelectElement,
    FileBlock,
    HeaderBlock,
    ImageBlock,
    ImageElement,
    InputBlock,
    MarkdownBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    OptionGroup,
    OverflowMenuElement,
    PlainTextInputElement,
    RadioButtonsElement,
    RichTextBlock,
    RichTextElementParts,
    RichTextInputElement,
    RichTextSectionElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
    UrlInputElement,
    UserMultiSelectElement,
    UserSelectElement,
    VideoBlock,
)
from slack_sdk.models.views import View

from bot.sandbox.standin.blockkit import (
    INVALID_BLOCKS_FORMAT,
    MSG_TOO_LONG,
    NO_TEXT,
    Surface,
    validate_blocks,
    validate_message,
    validate_view,
)

Obj = dict[str, Any]

# --- builders for hand-made payloads ----------------------------------------------------------


def plain(text: str = "Hi", **extra: Any) -> Obj:
    return {"type": "plain_text", "text": text, **extra}


def mrkdwn(text: str = "Hi", **extra: Any) -> Obj:
    return {"type": "mrkdwn", "text": text, **extra}


def section(text: str = "Hello", **extra: Any) -> Obj:
    return {"type": "section", "text": mrkdwn(text), **extra}


def option(value: str = "v1", text: str = "One") -> Obj:
    return {"text": plain(text), "value": value}


def button(action_id: str = "go", **extra: Any) -> Obj:
    return {"type": "button", "text": plain("Go"), "action_id": action_id, **extra}


def actions(*elements: Obj) -> Obj:
    return {"type": "actions", "elements": list(elements)}


def input_block(element: Obj | None = None, **extra: Any) -> Obj:
    element = element or {"type": "plain_text_input", "action_id": "name"}
    return {"type": "input", "label": plain("Name"), "element": element, **extra}


def confirm(**overrides: Any) -> Obj:
    return {
        "title": plain("Sure?"),
        "text": plain("Really do it?"),
        "confirm": plain("Yes"),
        "deny": plain("No"),
        **overrides,
    }


def modal(blocks: list[Obj] | None = None, **extra: Any) -> Obj:
    return {"type": "modal", "title": plain("Title"), "blocks": blocks or [section()], **extra}


def in_message(*blocks: Obj) -> list[str]:
    return validate_blocks(list(blocks), surface="message")


def in_modal(*blocks: Obj) -> list[str]:
    return validate_blocks(list(blocks), surface="modal")


def accessory(element: Obj) -> list[str]:
    """Validate an element as a section accessory in a message."""
    return in_message(section(accessory=element))


def as_input(element: Obj) -> list[str]:
    """Validate an element inside an input block in a modal."""
    return in_modal(input_block(element))


# --- real SDK output passes -------------------------------------------------------------------


def test_sdk_built_message_blocks_are_accepted() -> None:
    options = [Option(value="a", text="Alpha"), Option(value="b", text="Beta")]
    blocks = [
        HeaderBlock(text="Weekly council"),
        SectionBlock(
            text="*Mission* update",
            accessory=ButtonElement(
                text="Open",
                action_id="open",
                value="42",
                style="primary",
                confirm=ConfirmObject(title="Sure?", text="Open the mission?"),
            ),
        ),
        SectionBlock(fields=["*Role*", "Staff engineer"]),
        DividerBlock(),
        ContextBlock(
            elements=[
                ImageElement(image_url="https://example.com/a.png", alt_text="avatar"),
                MarkdownTextObject(text="posted by <@U1>"),
            ]
        ),
        ActionsBlock(
            elements=[
                ButtonElement(text="Approve", action_id="approve", style="danger"),
                StaticSelectElement(
                    placeholder="Pick", action_id="pick", options=options, initial_option=options[0]
                ),
                OverflowMenuElement(action_id="more", options=options),
                DatePickerElement(action_id="day", initial_date="2024-02-29"),
                TimePickerElement(action_id="time", initial_time="09:30"),
                UserSelectElement(placeholder="Who", action_id="who"),
            ]
        ),
        ImageBlock(image_url="https://example.com/b.png", alt_text="chart", title="Chart"),
        RichTextBlock(
            elements=[RichTextSectionElement(elements=[RichTextElementParts.Text(text="hi")])]
        ),
        VideoBlock(
            alt_text="demo",
            title="Demo",
            video_url="https://example.com/v",
            thumbnail_url="https://example.com/t.png",
        ),
        FileBlock(external_id="ext-1"),
        MarkdownBlock(text="**bold** text"),
    ]
    assert in_message(*(block.to_dict() for block in blocks)) == []


def test_sdk_built_modal_view_is_accepted() -> None:
    options = [Option(value="a", text="Alpha"), Option(value="b", text="Beta")]
    elements = [
        PlainTextInputElement(action_id="name", max_length=100, initial_value="Ada"),
        StaticSelectElement(action_id="s", options=options, initial_option=options[1]),
        StaticMultiSelectElement(
            action_id="ms",
            option_groups=[OptionGroup(label="Group", options=options)],
            initial_options=[options[0]],
        ),
        CheckboxesElement(action_id="cb", options=options, initial_options=options),
        RadioButtonsElement(action_id="rb", options=options, initial_option=options[0]),
        DatePickerElement(action_id="d"),
        TimePickerElement(action_id="t"),
        DateTimePickerElement(action_id="dt", initial_date_time=1_700_000_000),
        UserMultiSelectElement(action_id="users"),
        ConversationSelectElement(action_id="conv"),
        ConversationMultiSelectElement(action_id="convs"),
        ChannelSelectElement(action_id="chan"),
        ExternalDataSelectElement(action_id="ext", min_query_length=2),
        NumberInputElement(action_id="num", is_decimal_allowed=True),
        EmailInputElement(action_id="email"),
        UrlInputElement(action_id="url"),
        RichTextInputElement(action_id="rich"),
    ]
    blocks = [InputBlock(label=f"Field {i}", element=e) for i, e in enumerate(elements)]
    view = View(
        type="modal",
        title="New mission",
        submit="Create",
        close="Cancel",
        callback_id="mission_create",
        private_metadata='{"channel": "C1"}',
        blocks=[SectionBlock(text="Fill in:"), *blocks],
    )
    assert validate_view(view.to_dict()) == []


def test_sdk_built_home_view_is_accepted() -> None:
    view = View(
        type="home",
        blocks=[HeaderBlock(text="Your missions"), DividerBlock(), SectionBlock(text="None")],
    )
    assert validate_view(view.to_dict()) == []


# --- the blocks array -------------------------------------------------------------------------


def test_blocks_that_are_not_a_list_are_rejected() -> None:
    errors = validate_blocks({"type": "divider"}, surface="message")
    assert errors == ["must provide an array [json-pointer:/blocks]"]


def test_block_that_is_not_an_object_is_rejected() -> None:
    errors = validate_blocks(["divider"], surface="message")
    assert errors == ["must provide an object [json-pointer:/blocks/0]"]


def test_empty_blocks_list_is_accepted() -> None:
    assert validate_blocks([], surface="message") == []


def test_message_with_50_blocks_is_accepted() -> None:
    assert validate_blocks([{"type": "divider"}] * 50, surface="message") == []


def test_message_with_51_blocks_is_rejected() -> None:
    errors = validate_blocks([{"type": "divider"}] * 51, surface="message")
    assert errors == ["no more than 50 items allowed [json-pointer:/blocks]"]


@pytest.mark.parametrize("surface", ["modal", "home"])
def test_modal_and_home_accept_100_blocks(surface: Surface) -> None:
    assert validate_blocks([{"type": "divider"}] * 100, surface=surface) == []


@pytest.mark.parametrize("surface", ["modal", "home"])
def test_modal_and_home_with_101_blocks_are_rejected(surface: Surface) -> None:
    errors = validate_blocks([{"type": "divider"}] * 101, surface=surface)
    assert errors == ["no more than 100 items allowed [json-pointer:/blocks]"]


def test_block_id_of_255_chars_is_accepted() -> None:
    assert in_message({"type": "divider", "block_id": "b" * 255}) == []


def test_block_id_of_256_chars_is_rejected() -> None:
    errors = in_message({"type": "divider", "block_id": "b" * 256})
    assert errors == ["must be less than 256 characters [json-pointer:/blocks/0/block_id]"]


def test_block_id_that_is_not_a_string_is_rejected() -> None:
    errors = in_message({"type": "divider", "block_id": 7})
    assert errors == ["must provide a string [json-pointer:/blocks/0/block_id]"]


def test_duplicate_block_id_is_rejected() -> None:
    errors = in_message(section(block_id="same"), {"type": "divider", "block_id": "same"})
    assert errors == ["duplicate block_id: same [json-pointer:/blocks/1/block_id]"]


def test_distinct_block_ids_are_accepted() -> None:
    assert in_message(section(block_id="a"), section(block_id="b")) == []


def test_unknown_block_type_is_rejected() -> None:
    blocks = [section(), section(), {"type": "divider"}, {"type": "foo"}]
    errors = validate_blocks(blocks, surface="message")
    assert errors == ["unsupported type: foo [json-pointer:/blocks/3/type]"]


def test_block_without_type_is_rejected() -> None:
    assert in_message({"text": mrkdwn()}) == [
        "missing required field: type [json-pointer:/blocks/0]"
    ]


MINIMAL_BLOCKS: dict[str, Obj] = {
    "section": section(),
    "header": {"type": "header", "text": plain("Title")},
    "divider": {"type": "divider"},
    "context": {"type": "context", "elements": [mrkdwn()]},
    "actions": actions(button()),
    "image": {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a"},
    "input": input_block(),
    "rich_text": {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]},
    "video": {
        "type": "video",
        "alt_text": "a",
        "title": plain("Demo"),
        "video_url": "https://example.com/v",
        "thumbnail_url": "https://example.com/t.png",
    },
    "file": {"type": "file", "external_id": "ext", "source": "remote"},
    "markdown": {"type": "markdown", "text": "**hi**"},
}


@pytest.mark.parametrize("kind", sorted(MINIMAL_BLOCKS))
def test_each_known_block_type_is_accepted_in_a_modal(kind: str) -> None:
    assert in_modal(MINIMAL_BLOCKS[kind]) == []


def test_input_block_is_rejected_in_a_message() -> None:
    assert in_message(input_block()) == ["unsupported type: input [json-pointer:/blocks/0/type]"]


@pytest.mark.parametrize("surface", ["modal", "home"])
def test_input_block_is_accepted_in_modal_and_home(surface: Surface) -> None:
    assert validate_blocks([input_block()], surface=surface) == []


# --- text objects -----------------------------------------------------------------------------


def test_text_object_with_unknown_type_is_rejected() -> None:
    errors = in_message({"type": "section", "text": {"type": "markdown", "text": "x"}})
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/text/type]"]


def test_text_object_without_type_is_rejected() -> None:
    errors = in_message({"type": "section", "text": {"text": "x"}})
    assert errors == ["missing required field: type [json-pointer:/blocks/0/text]"]


def test_text_object_with_empty_text_is_rejected() -> None:
    errors = in_message({"type": "section", "text": mrkdwn("")})
    assert errors == ["must be more than 0 characters [json-pointer:/blocks/0/text/text]"]


def test_text_object_with_non_string_text_is_rejected() -> None:
    errors = in_message({"type": "section", "text": mrkdwn(12)})  # type: ignore[arg-type]
    assert errors == ["must provide a string [json-pointer:/blocks/0/text/text]"]


def test_text_object_without_text_is_rejected() -> None:
    errors = in_message({"type": "section", "text": {"type": "mrkdwn"}})
    assert errors == ["missing required field: text [json-pointer:/blocks/0/text]"]


def test_text_given_as_a_bare_string_is_rejected() -> None:
    errors = in_message({"type": "section", "text": "hello"})
    assert errors == ["must provide an object [json-pointer:/blocks/0/text]"]


def test_emoji_on_mrkdwn_text_is_rejected() -> None:
    errors = in_message({"type": "section", "text": mrkdwn(emoji=True)})
    assert errors == ["invalid additional property: emoji [json-pointer:/blocks/0/text]"]


def test_verbatim_on_plain_text_is_rejected() -> None:
    errors = in_message({"type": "section", "text": plain(verbatim=True)})
    assert errors == ["invalid additional property: verbatim [json-pointer:/blocks/0/text]"]


def test_emoji_on_plain_text_and_verbatim_on_mrkdwn_are_accepted() -> None:
    assert in_message({"type": "section", "text": plain(emoji=False)}) == []
    assert in_message({"type": "section", "text": mrkdwn(verbatim=True)}) == []


def test_emoji_that_is_not_a_boolean_is_rejected() -> None:
    errors = in_message({"type": "section", "text": plain(emoji="yes")})
    assert errors == ["must provide a boolean [json-pointer:/blocks/0/text/emoji]"]


def test_unknown_property_on_text_object_is_rejected() -> None:
    errors = in_message({"type": "section", "text": mrkdwn(bold=True)})
    assert errors == ["invalid additional property: bold [json-pointer:/blocks/0/text]"]


# --- section ----------------------------------------------------------------------------------


def test_section_without_text_or_fields_is_rejected() -> None:
    errors = in_message({"type": "section"})
    assert errors == ["must define either `text` or `fields` [json-pointer:/blocks/0]"]


def test_section_text_of_3000_chars_is_accepted() -> None:
    assert in_message(section("x" * 3000)) == []


def test_section_text_of_3001_chars_is_rejected() -> None:
    errors = in_message(section("x" * 3001))
    assert errors == ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]


def test_section_with_only_fields_is_accepted() -> None:
    assert in_message({"type": "section", "fields": [mrkdwn(), plain()]}) == []


def test_section_with_11_fields_is_rejected() -> None:
    errors = in_message({"type": "section", "fields": [mrkdwn()] * 11})
    assert errors == ["no more than 10 items allowed [json-pointer:/blocks/0/fields]"]


def test_section_field_of_2001_chars_is_rejected() -> None:
    errors = in_message({"type": "section", "fields": [mrkdwn(), mrkdwn("x" * 2001)]})
    assert errors == ["must be less than 2001 characters [json-pointer:/blocks/0/fields/1/text]"]


def test_section_accessory_is_validated_as_an_element() -> None:
    errors = accessory(button(style="secondary"))
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/accessory/style]"]


def test_section_accessory_of_input_only_type_is_rejected() -> None:
    errors = accessory({"type": "plain_text_input", "action_id": "x"})
    assert errors == ["unsupported type: plain_text_input [json-pointer:/blocks/0/accessory/type]"]


# --- header -----------------------------------------------------------------------------------


def test_header_text_of_150_chars_is_accepted() -> None:
    assert in_message({"type": "header", "text": plain("x" * 150)}) == []


def test_header_text_of_151_chars_is_rejected() -> None:
    errors = in_message({"type": "header", "text": plain("x" * 151)})
    assert errors == ["must be less than 151 characters [json-pointer:/blocks/0/text/text]"]


def test_header_text_in_mrkdwn_is_rejected() -> None:
    errors = in_message({"type": "header", "text": mrkdwn()})
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/text/type]"]


def test_header_without_text_is_rejected() -> None:
    errors = in_message({"type": "header"})
    assert errors == ["missing required field: text [json-pointer:/blocks/0]"]


# --- context ----------------------------------------------------------------------------------


def test_context_with_no_elements_is_rejected() -> None:
    errors = in_message({"type": "context", "elements": []})
    assert errors == ["must provide at least 1 items [json-pointer:/blocks/0/elements]"]


def test_context_without_elements_is_rejected() -> None:
    errors = in_message({"type": "context"})
    assert errors == ["missing required field: elements [json-pointer:/blocks/0]"]


def test_context_with_10_elements_is_accepted() -> None:
    assert in_message({"type": "context", "elements": [plain()] * 10}) == []


def test_context_with_11_elements_is_rejected() -> None:
    errors = in_message({"type": "context", "elements": [plain()] * 11})
    assert errors == ["no more than 10 items allowed [json-pointer:/blocks/0/elements]"]


def test_context_with_a_button_is_rejected() -> None:
    errors = in_message({"type": "context", "elements": [button()]})
    assert errors == ["unsupported type: button [json-pointer:/blocks/0/elements/0/type]"]


def test_context_image_without_alt_text_is_rejected() -> None:
    image = {"type": "image", "image_url": "https://example.com/a.png"}
    errors = in_message({"type": "context", "elements": [image]})
    assert errors == ["missing required field: alt_text [json-pointer:/blocks/0/elements/0]"]


# --- actions ----------------------------------------------------------------------------------


def test_actions_with_no_elements_is_rejected() -> None:
    errors = in_message(actions())
    assert errors == ["must provide at least 1 items [json-pointer:/blocks/0/elements]"]


def test_actions_with_25_elements_is_accepted() -> None:
    assert in_message(actions(*(button(f"b{i}") for i in range(25)))) == []


def test_actions_with_26_elements_is_rejected() -> None:
    errors = in_message(actions(*(button(f"b{i}") for i in range(26))))
    assert errors == ["no more than 25 items allowed [json-pointer:/blocks/0/elements]"]


def test_duplicate_action_id_within_an_actions_block_is_rejected() -> None:
    errors = in_message(actions(button("same"), button("same")))
    assert errors == ["duplicate action_id: same [json-pointer:/blocks/0/elements/1/action_id]"]


def test_same_action_id_in_different_blocks_is_accepted() -> None:
    assert in_message(actions(button("same")), actions(button("same"))) == []


def test_action_id_of_256_chars_is_rejected() -> None:
    errors = in_message(actions(button("a" * 256)))
    assert errors == [
        "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"
    ]


def test_actions_with_an_input_only_element_is_rejected() -> None:
    errors = in_message(actions({"type": "plain_text_input", "action_id": "x"}))
    assert errors == ["unsupported type: plain_text_input [json-pointer:/blocks/0/elements/0/type]"]


def test_element_without_type_is_rejected() -> None:
    errors = in_message(actions({"action_id": "x"}))
    assert errors == ["missing required field: type [json-pointer:/blocks/0/elements/0]"]


# --- input ------------------------------------------------------------------------------------


def test_input_without_label_is_rejected() -> None:
    block = input_block()
    del block["label"]
    assert in_modal(block) == ["missing required field: label [json-pointer:/blocks/0]"]


def test_input_label_in_mrkdwn_is_rejected() -> None:
    errors = in_modal(input_block(label=mrkdwn()))
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/label/type]"]


def test_input_label_of_2001_chars_is_rejected() -> None:
    errors = in_modal(input_block(label=plain("x" * 2001)))
    assert errors == ["must be less than 2001 characters [json-pointer:/blocks/0/label/text]"]


def test_input_without_element_is_rejected() -> None:
    block = input_block()
    del block["element"]
    assert in_modal(block) == ["missing required field: element [json-pointer:/blocks/0]"]


def test_input_with_a_button_element_is_rejected() -> None:
    errors = as_input(button())
    assert errors == ["unsupported type: button [json-pointer:/blocks/0/element/type]"]


MINIMAL_INPUT_ELEMENTS: list[Obj] = [
    {"type": "plain_text_input"},
    {"type": "static_select", "options": [option()]},
    {"type": "multi_static_select", "options": [option()]},
    {"type": "users_select"},
    {"type": "multi_users_select"},
    {"type": "conversations_select"},
    {"type": "multi_conversations_select"},
    {"type": "channels_select"},
    {"type": "external_select"},
    {"type": "datepicker"},
    {"type": "timepicker"},
    {"type": "datetimepicker"},
    {"type": "checkboxes", "options": [option()]},
    {"type": "radio_buttons", "options": [option()]},
    {"type": "number_input", "is_decimal_allowed": False},
    {"type": "email_text_input"},
    {"type": "url_text_input"},
    {"type": "rich_text_input"},
]


@pytest.mark.parametrize("element", MINIMAL_INPUT_ELEMENTS, ids=lambda e: e["type"])
def test_input_accepts_each_input_capable_element(element: Obj) -> None:
    assert as_input({**element, "action_id": "a"}) == []


def test_input_hint_of_2001_chars_is_rejected() -> None:
    errors = in_modal(input_block(hint=plain("x" * 2001)))
    assert errors == ["must be less than 2001 characters [json-pointer:/blocks/0/hint/text]"]


def test_input_hint_in_mrkdwn_is_rejected() -> None:
    errors = in_modal(input_block(hint=mrkdwn()))
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/hint/type]"]


def test_input_optional_that_is_not_a_boolean_is_rejected() -> None:
    errors = in_modal(input_block(optional="true"))
    assert errors == ["must provide a boolean [json-pointer:/blocks/0/optional]"]


def test_input_optional_true_is_accepted() -> None:
    assert in_modal(input_block(optional=True)) == []


# --- image block ------------------------------------------------------------------------------


def image(**fields: Any) -> Obj:
    return {"type": "image", "alt_text": "a", **fields}


def test_image_without_url_or_slack_file_is_rejected() -> None:
    errors = in_message(image())
    assert errors == [
        "must provide exactly one of `image_url` or `slack_file` [json-pointer:/blocks/0]"
    ]


def test_image_with_slack_file_is_accepted() -> None:
    assert in_message(image(slack_file={"id": "F123"})) == []


def test_image_slack_file_without_url_or_id_is_rejected() -> None:
    errors = in_message(image(slack_file={}))
    assert errors == ["invalid slack file [json-pointer:/blocks/0/slack_file]"]


def test_image_url_of_3001_chars_is_rejected() -> None:
    errors = in_message(image(image_url="https://example.com/" + "x" * 2981))
    assert errors == ["must be less than 3001 characters [json-pointer:/blocks/0/image_url]"]


def test_image_without_alt_text_is_rejected() -> None:
    block = image(image_url="https://example.com/a.png")
    del block["alt_text"]
    assert in_message(block) == ["missing required field: alt_text [json-pointer:/blocks/0]"]


def test_image_alt_text_of_2001_chars_is_rejected() -> None:
    errors = in_message(image(image_url="https://example.com/a.png", alt_text="x" * 2001))
    assert errors == ["must be less than 2001 characters [json-pointer:/blocks/0/alt_text]"]


def test_image_title_in_mrkdwn_is_rejected() -> None:
    errors = in_message(image(image_url="https://example.com/a.png", title=mrkdwn()))
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/title/type]"]


def test_image_title_of_2001_chars_is_rejected() -> None:
    errors = in_message(image(image_url="https://example.com/a.png", title=plain("x" * 2001)))
    assert errors == ["must be less than 2001 characters [json-pointer:/blocks/0/title/text]"]


# --- other blocks -----------------------------------------------------------------------------


def test_video_without_title_is_rejected() -> None:
    block = {k: v for k, v in MINIMAL_BLOCKS["video"].items() if k != "title"}
    assert in_message(block) == ["missing required field: title [json-pointer:/blocks/0]"]


def test_file_block_with_non_remote_source_is_rejected() -> None:
    errors = in_message({"type": "file", "external_id": "e", "source": "local"})
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/source]"]


def test_markdown_block_over_12000_chars_is_rejected() -> None:
    errors = in_message({"type": "markdown", "text": "x" * 12_001})
    assert errors == ["must be less than 12001 characters [json-pointer:/blocks/0/text]"]


def test_rich_text_with_unknown_part_is_rejected() -> None:
    errors = in_message({"type": "rich_text", "elements": [{"type": "text", "text": "x"}]})
    assert errors == ["unsupported type: text [json-pointer:/blocks/0/elements/0/type]"]


# --- button -----------------------------------------------------------------------------------


def test_button_text_of_75_chars_is_accepted() -> None:
    assert accessory(button(text=plain("x" * 75))) == []


def test_button_text_of_76_chars_is_rejected() -> None:
    errors = accessory(button(text=plain("x" * 76)))
    assert errors == [
        "must be less than 76 characters [json-pointer:/blocks/0/accessory/text/text]"
    ]


def test_button_text_in_mrkdwn_is_rejected() -> None:
    errors = accessory(button(text=mrkdwn()))
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/accessory/text/type]"]


def test_button_without_text_is_rejected() -> None:
    errors = accessory({"type": "button", "action_id": "go"})
    assert errors == ["missing required field: text [json-pointer:/blocks/0/accessory]"]


def test_button_value_of_2001_chars_is_rejected() -> None:
    errors = accessory(button(value="v" * 2001))
    assert errors == ["must be less than 2001 characters [json-pointer:/blocks/0/accessory/value]"]


def test_button_url_of_3001_chars_is_rejected() -> None:
    errors = accessory(button(url="https://example.com/" + "x" * 2981))
    assert errors == ["must be less than 3001 characters [json-pointer:/blocks/0/accessory/url]"]


@pytest.mark.parametrize("style", ["primary", "danger"])
def test_button_style_primary_or_danger_is_accepted(style: str) -> None:
    assert accessory(button(style=style)) == []


@pytest.mark.parametrize("style", ["default", "secondary", ""])
def test_button_style_other_than_primary_or_danger_is_rejected(style: str) -> None:
    errors = accessory(button(style=style))
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/accessory/style]"]


def test_button_with_invalid_confirm_is_rejected() -> None:
    errors = accessory(button(confirm=confirm(title=plain("x" * 101))))
    assert errors == [
        "must be less than 101 characters [json-pointer:/blocks/0/accessory/confirm/title/text]"
    ]


# --- confirm dialog ---------------------------------------------------------------------------


def confirm_errors(**overrides: Any) -> list[str]:
    return accessory(button(confirm=confirm(**overrides)))


def test_valid_confirm_dialog_is_accepted() -> None:
    assert confirm_errors(style="danger", text=mrkdwn("*Really?*")) == []


def test_confirm_text_of_301_chars_is_rejected() -> None:
    errors = confirm_errors(text=plain("x" * 301))
    assert errors == [
        "must be less than 301 characters [json-pointer:/blocks/0/accessory/confirm/text/text]"
    ]


@pytest.mark.parametrize("key", ["confirm", "deny"])
def test_confirm_and_deny_labels_of_31_chars_are_rejected(key: str) -> None:
    errors = confirm_errors(**{key: plain("x" * 31)})
    assert errors == [
        f"must be less than 31 characters [json-pointer:/blocks/0/accessory/confirm/{key}/text]"
    ]


@pytest.mark.parametrize("key", ["title", "confirm", "deny"])
def test_confirm_labels_in_mrkdwn_are_rejected(key: str) -> None:
    errors = confirm_errors(**{key: mrkdwn()})
    assert errors == [
        f"must be a valid enum value [json-pointer:/blocks/0/accessory/confirm/{key}/type]"
    ]


def test_confirm_with_invalid_style_is_rejected() -> None:
    errors = confirm_errors(style="warning")
    assert errors == ["must be a valid enum value [json-pointer:/blocks/0/accessory/confirm/style]"]


def test_confirm_without_title_is_rejected() -> None:
    dialog = confirm()
    del dialog["title"]
    errors = accessory(button(confirm=dialog))
    assert errors == ["missing required field: title [json-pointer:/blocks/0/accessory/confirm]"]


# --- static selects and options ---------------------------------------------------------------


def select(**fields: Any) -> Obj:
    return {"type": "static_select", "action_id": "pick", **fields}


def test_select_placeholder_of_151_chars_is_rejected() -> None:
    errors = accessory(select(options=[option()], placeholder=plain("x" * 151)))
    assert errors == [
        "must be less than 151 characters [json-pointer:/blocks/0/accessory/placeholder/text]"
    ]


def test_select_placeholder_in_mrkdwn_is_rejected() -> None:
    errors = accessory(select(options=[option()], placeholder=mrkdwn()))
    assert errors == [
        "must be a valid enum value [json-pointer:/blocks/0/accessory/placeholder/type]"
    ]


def test_select_without_options_or_option_groups_is_rejected() -> None:
    errors = accessory(select())
    assert errors == [
        "must provide exactly one of `options` or `option_groups`"
        " [json-pointer:/blocks/0/accessory]"
    ]


def test_select_with_both_options_and_option_groups_is_rejected() -> None:
    group = {"label": plain("G"), "options": [option()]}
    errors = accessory(select(options=[option()], option_groups=[group]))
    assert errors == [
        "must provide exactly one of `options` or `option_groups`"
        " [json-pointer:/blocks/0/accessory]"
    ]


def test_select_with_no_options_is_rejected() -> None:
    errors = accessory(select(options=[]))
    assert errors == ["must provide at least 1 items [json-pointer:/blocks/0/accessory/options]"]


def test_select_with_100_options_is_accepted() -> None:
    assert accessory(select(options=[option(str(i)) for i in range(100)])) == []


def test_select_with_101_options_is_rejected() -> None:
    errors = accessory(select(options=[option(str(i)) for i in range(101)]))
    assert errors == ["no more than 100 items allowed [json-pointer:/blocks/0/accessory/options]"]


def test_option_text_of_76_chars_is_rejected() -> None:
    errors = accessory(select(options=[option(text="x" * 76)]))
    assert errors == [
        "must be less than 76 characters [json-pointer:/blocks/0/accessory/options/0/text/text]"
    ]


def test_option_value_of_151_chars_is_rejected() -> None:
    errors = accessory(select(options=[option(value="v" * 151)]))
    assert errors == [
        "must be less than 151 characters [json-pointer:/blocks/0/accessory/options/0/value]"
    ]


def test_option_without_value_is_rejected() -> None:
    errors = accessory(select(options=[{"text": plain("One")}]))
    assert errors == ["missing required field: value [json-pointer:/blocks/0/accessory/options/0]"]


def test_select_option_with_mrkdwn_text_is_rejected() -> None:
    errors = accessory(select(options=[{"text": mrkdwn("*One*"), "value": "1"}]))
    assert errors == [
        "must be a valid enum value [json-pointer:/blocks/0/accessory/options/0/text/type]"
    ]


def test_select_initial_option_among_options_is_accepted() -> None:
    assert accessory(select(options=[option("1"), option("2")], initial_option=option("2"))) == []


def test_select_initial_option_not_among_options_is_rejected() -> None:
    errors = accessory(select(options=[option("1")], initial_option=option("9")))
    assert errors == [
        "must match one of the provided options [json-pointer:/blocks/0/accessory/initial_option]"
    ]


def test_select_initial_option_with_same_value_but_other_text_is_rejected() -> None:
    errors = accessory(select(options=[option("1", "One")], initial_option=option("1", "Uno")))
    assert errors == [
        "must match one of the provided options [json-pointer:/blocks/0/accessory/initial_option]"
    ]


def test_multi_select_initial_options_not_among_options_are_rejected() -> None:
    element = select(
        type="multi_static_select",
        options=[option("1"), option("2")],
        initial_options=[option("2"), option("3")],
    )
    assert accessory(element) == [
        "must match one of the provided options"
        " [json-pointer:/blocks/0/accessory/initial_options/1]"
    ]


def test_select_initial_option_from_an_option_group_is_accepted() -> None:
    group = {"label": plain("Group"), "options": [option("1"), option("2")]}
    assert accessory(select(option_groups=[group], initial_option=option("2"))) == []


def test_option_group_label_of_76_chars_is_rejected() -> None:
    group = {"label": plain("x" * 76), "options": [option()]}
    errors = accessory(select(option_groups=[group]))
    assert errors == [
        "must be less than 76 characters"
        " [json-pointer:/blocks/0/accessory/option_groups/0/label/text]"
    ]


# --- overflow ---------------------------------------------------------------------------------


def overflow(count: int) -> Obj:
    return {
        "type": "overflow",
        "action_id": "more",
        "options": [option(str(i)) for i in range(count)],
    }


@pytest.mark.parametrize("count", [2, 5])
def test_overflow_with_2_to_5_options_is_accepted(count: int) -> None:
    assert accessory(overflow(count)) == []


def test_overflow_with_1_option_is_rejected() -> None:
    errors = accessory(overflow(1))
    assert errors == ["must provide at least 2 items [json-pointer:/blocks/0/accessory/options]"]


def test_overflow_with_6_options_is_rejected() -> None:
    errors = accessory(overflow(6))
    assert errors == ["no more than 5 items allowed [json-pointer:/blocks/0/accessory/options]"]


def test_overflow_option_may_carry_a_url() -> None:
    element = overflow(2)
    element["options"][0]["url"] = "https://example.com"
    assert accessory(element) == []


def test_select_option_with_a_url_is_rejected() -> None:
    errors = accessory(select(options=[{**option(), "url": "https://example.com"}]))
    assert errors == [
        "invalid additional property: url [json-pointer:/blocks/0/accessory/options/0]"
    ]


# --- date and time pickers --------------------------------------------------------------------


def test_datepicker_with_valid_initial_date_is_accepted() -> None:
    assert accessory({"type": "datepicker", "initial_date": "2024-02-29"}) == []


@pytest.mark.parametrize("value", ["2024-13-01", "2023-02-29", "01/02/2024", "2024-1-2"])
def test_datepicker_with_malformed_initial_date_is_rejected(value: str) -> None:
    errors = accessory({"type": "datepicker", "initial_date": value})
    assert errors == [
        "must be a valid date in YYYY-MM-DD format [json-pointer:/blocks/0/accessory/initial_date]"
    ]


@pytest.mark.parametrize("value", ["00:00", "09:30", "23:59"])
def test_timepicker_with_valid_initial_time_is_accepted(value: str) -> None:
    assert accessory({"type": "timepicker", "initial_time": value}) == []


@pytest.mark.parametrize("value", ["24:00", "9:30", "09:60", "0930", "09:30:00"])
def test_timepicker_with_malformed_initial_time_is_rejected(value: str) -> None:
    errors = accessory({"type": "timepicker", "initial_time": value})
    assert errors == [
        "must be a valid time in HH:mm format [json-pointer:/blocks/0/accessory/initial_time]"
    ]


# --- plain_text_input -------------------------------------------------------------------------


def text_input(**fields: Any) -> Obj:
    return {"type": "plain_text_input", "action_id": "t", **fields}


def test_plain_text_input_with_max_length_3000_is_accepted() -> None:
    assert as_input(text_input(min_length=0, max_length=3000, multiline=True)) == []


def test_plain_text_input_max_length_over_3000_is_rejected() -> None:
    errors = as_input(text_input(max_length=3001))
    assert errors == ["must be no more than 3000 [json-pointer:/blocks/0/element/max_length]"]


def test_plain_text_input_min_length_over_3000_is_rejected() -> None:
    errors = as_input(text_input(min_length=3001))
    assert errors == ["must be no more than 3000 [json-pointer:/blocks/0/element/min_length]"]


def test_plain_text_input_min_length_above_max_length_is_rejected() -> None:
    errors = as_input(text_input(min_length=10, max_length=5))
    assert errors == [
        "must be less than or equal to max_length [json-pointer:/blocks/0/element/min_length]"
    ]


def test_plain_text_input_initial_value_longer_than_max_length_is_rejected() -> None:
    errors = as_input(text_input(max_length=5, initial_value="toolong"))
    assert errors == [
        "must be less than 6 characters [json-pointer:/blocks/0/element/initial_value]"
    ]


def test_plain_text_input_max_length_that_is_not_an_integer_is_rejected() -> None:
    errors = as_input(text_input(max_length="10"))
    assert errors == ["must provide an integer [json-pointer:/blocks/0/element/max_length]"]


def test_plain_text_input_placeholder_of_151_chars_is_rejected() -> None:
    errors = as_input(text_input(placeholder=plain("x" * 151)))
    assert errors == [
        "must be less than 151 characters [json-pointer:/blocks/0/element/placeholder/text]"
    ]


# --- checkboxes and radio buttons -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["checkboxes", "radio_buttons"])
def test_choice_with_10_options_is_accepted(kind: str) -> None:
    assert as_input({"type": kind, "options": [option(str(i)) for i in range(10)]}) == []


@pytest.mark.parametrize("kind", ["checkboxes", "radio_buttons"])
def test_choice_with_11_options_is_rejected(kind: str) -> None:
    errors = as_input({"type": kind, "options": [option(str(i)) for i in range(11)]})
    assert errors == ["no more than 10 items allowed [json-pointer:/blocks/0/element/options]"]


@pytest.mark.parametrize("kind", ["checkboxes", "radio_buttons"])
def test_choice_with_no_options_is_rejected(kind: str) -> None:
    errors = as_input({"type": kind, "options": []})
    assert errors == ["must provide at least 1 items [json-pointer:/blocks/0/element/options]"]


def test_checkbox_option_with_mrkdwn_text_is_accepted() -> None:
    element = {"type": "checkboxes", "options": [{"text": mrkdwn("*One*"), "value": "1"}]}
    assert as_input(element) == []


def test_checkboxes_initial_options_not_among_options_are_rejected() -> None:
    element = {"type": "checkboxes", "options": [option("1")], "initial_options": [option("2")]}
    assert as_input(element) == [
        "must match one of the provided options [json-pointer:/blocks/0/element/initial_options/0]"
    ]


def test_radio_buttons_initial_option_not_among_options_is_rejected() -> None:
    element = {"type": "radio_buttons", "options": [option("1")], "initial_option": option("2")}
    assert as_input(element) == [
        "must match one of the provided options [json-pointer:/blocks/0/element/initial_option]"
    ]


# --- dynamic selects --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "external_select",
    ],
)
def test_dynamic_select_placeholder_of_151_chars_is_rejected(kind: str) -> None:
    errors = as_input({"type": kind, "placeholder": plain("x" * 151)})
    assert errors == [
        "must be less than 151 characters [json-pointer:/blocks/0/element/placeholder/text]"
    ]


def test_multi_select_max_selected_items_below_1_is_rejected() -> None:
    errors = as_input({"type": "multi_users_select", "max_selected_items": 0})
    assert errors == ["must be at least 1 [json-pointer:/blocks/0/element/max_selected_items]"]


def test_number_input_without_is_decimal_allowed_is_rejected() -> None:
    errors = as_input({"type": "number_input"})
    assert errors == ["missing required field: is_decimal_allowed [json-pointer:/blocks/0/element]"]


# --- views ------------------------------------------------------------------------------------


def test_view_that_is_not_an_object_is_rejected() -> None:
    assert validate_view(["modal"]) == ["must provide an object [json-pointer:/view]"]


def test_view_given_as_a_json_string_is_accepted() -> None:
    assert validate_view(json.dumps(modal())) == []


def test_view_given_as_invalid_json_is_rejected() -> None:
    assert validate_view("{not json") == ["must provide an object [json-pointer:/view]"]


def test_view_without_type_is_rejected() -> None:
    view = modal()
    del view["type"]
    assert validate_view(view) == ["missing required field: type [json-pointer:/view]"]


@pytest.mark.parametrize("kind", ["workflow_step", "message", "Modal"])
def test_view_of_other_type_is_rejected(kind: str) -> None:
    errors = validate_view({**modal(), "type": kind})
    assert errors == ["must be a valid enum value [json-pointer:/view/type]"]


def test_view_without_blocks_is_rejected() -> None:
    view = modal()
    del view["blocks"]
    assert validate_view(view) == ["missing required field: blocks [json-pointer:/view]"]


def test_modal_without_title_is_rejected() -> None:
    view = modal()
    del view["title"]
    assert validate_view(view) == ["missing required field: title [json-pointer:/view]"]


def test_modal_title_of_24_chars_is_accepted() -> None:
    assert validate_view(modal(title=plain("x" * 24))) == []


def test_modal_title_of_25_chars_is_rejected() -> None:
    errors = validate_view(modal(title=plain("x" * 25)))
    assert errors == ["must be less than 25 characters [json-pointer:/view/title/text]"]


def test_modal_title_in_mrkdwn_is_rejected() -> None:
    errors = validate_view(modal(title=mrkdwn()))
    assert errors == ["must be a valid enum value [json-pointer:/view/title/type]"]


@pytest.mark.parametrize("key", ["submit", "close"])
def test_modal_submit_and_close_of_25_chars_are_rejected(key: str) -> None:
    errors = validate_view(modal(**{key: plain("x" * 25)}))
    assert errors == [f"must be less than 25 characters [json-pointer:/view/{key}/text]"]


def test_modal_with_input_block_and_no_submit_is_rejected() -> None:
    errors = validate_view(modal([section(), input_block()]))
    assert errors == [
        "must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/1/input]"
    ]


def test_modal_with_input_block_and_submit_is_accepted() -> None:
    assert validate_view(modal([input_block()], submit=plain("Save"))) == []


def test_modal_callback_id_of_256_chars_is_rejected() -> None:
    errors = validate_view(modal(callback_id="c" * 256))
    assert errors == ["must be less than 256 characters [json-pointer:/view/callback_id]"]


def test_modal_external_id_of_256_chars_is_rejected() -> None:
    errors = validate_view(modal(external_id="e" * 256))
    assert errors == ["must be less than 256 characters [json-pointer:/view/external_id]"]


@pytest.mark.parametrize("kind", ["modal", "home"])
def test_view_private_metadata_of_3000_chars_is_accepted(kind: str) -> None:
    assert validate_view({**modal(), "type": kind, "private_metadata": "m" * 3000}) == []


@pytest.mark.parametrize("kind", ["modal", "home"])
def test_view_private_metadata_of_3001_chars_is_rejected(kind: str) -> None:
    errors = validate_view({**modal(), "type": kind, "private_metadata": "m" * 3001})
    assert errors == ["must be less than 3001 characters [json-pointer:/view/private_metadata]"]


def test_modal_with_100_blocks_is_accepted() -> None:
    assert validate_view(modal([{"type": "divider"}] * 100)) == []


def test_modal_with_101_blocks_is_rejected() -> None:
    errors = validate_view(modal([{"type": "divider"}] * 101))
    assert errors == ["no more than 100 items allowed [json-pointer:/view/blocks]"]


def test_modal_block_errors_point_into_the_view() -> None:
    errors = validate_view(modal([section("x" * 3001)]))
    assert errors == ["must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]"]


def test_home_view_needs_no_title() -> None:
    assert validate_view({"type": "home", "blocks": [section()]}) == []


def test_home_view_may_hold_input_blocks_without_submit() -> None:
    assert validate_view({"type": "home", "blocks": [input_block()]}) == []


def test_home_view_with_101_blocks_is_rejected() -> None:
    errors = validate_view({"type": "home", "blocks": [{"type": "divider"}] * 101})
    assert errors == ["no more than 100 items allowed [json-pointer:/view/blocks]"]


# --- messages ---------------------------------------------------------------------------------


def test_message_with_text_only_is_accepted() -> None:
    assert validate_message(text="hello", blocks=None) == []


@pytest.mark.parametrize("text", [None, ""])
def test_message_without_text_or_blocks_is_no_text(text: str | None) -> None:
    assert validate_message(text=text, blocks=None) == [NO_TEXT]


@pytest.mark.parametrize("blocks", [[], "[]", ""])
def test_message_with_empty_blocks_and_no_text_is_no_text(blocks: object) -> None:
    assert validate_message(text="", blocks=blocks) == [NO_TEXT]


def test_message_with_blocks_and_no_text_is_accepted() -> None:
    assert validate_message(text=None, blocks=[section()]) == []


def test_message_text_of_40000_chars_is_accepted() -> None:
    assert validate_message(text="x" * 40_000, blocks=None) == []


def test_message_text_of_40001_chars_is_msg_too_long() -> None:
    assert validate_message(text="x" * 40_001, blocks=None) == [MSG_TOO_LONG]


def test_message_text_that_is_not_a_string_is_rejected() -> None:
    errors = validate_message(text=["hi"], blocks=[section()])
    assert errors == ["must provide a string [json-pointer:/text]"]


def test_message_blocks_given_as_a_json_string_are_accepted() -> None:
    assert validate_message(text="fallback", blocks=json.dumps([section()])) == []


def test_message_blocks_given_as_a_json_string_are_validated() -> None:
    errors = validate_message(text="fallback", blocks=json.dumps([{"type": "foo"}]))
    assert errors == ["unsupported type: foo [json-pointer:/blocks/0/type]"]


def test_message_blocks_that_are_invalid_json_are_rejected() -> None:
    assert validate_message(text="fallback", blocks="[{oops") == [INVALID_BLOCKS_FORMAT]


def test_message_blocks_use_the_message_limit_of_50() -> None:
    errors = validate_message(text="fallback", blocks=[{"type": "divider"}] * 51)
    assert errors == ["no more than 50 items allowed [json-pointer:/blocks]"]


def test_message_blocks_reject_input_blocks() -> None:
    errors = validate_message(text="fallback", blocks=[input_block()])
    assert errors == ["unsupported type: input [json-pointer:/blocks/0/type]"]


def test_message_reports_every_error_at_once() -> None:
    errors = validate_message(text="x" * 40_001, blocks=[section("x" * 3001), {"type": "foo"}])
    assert errors == [
        MSG_TOO_LONG,
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
        "unsupported type: foo [json-pointer:/blocks/1/type]",
    ]


# --- robustness -------------------------------------------------------------------------------

# Keys and type names the validator looks at, so random payloads reach deep into it.
_KEYS = [
    "type",
    "text",
    "fields",
    "accessory",
    "elements",
    "element",
    "label",
    "hint",
    "options",
    "option_groups",
    "initial_option",
    "initial_options",
    "value",
    "title",
    "confirm",
    "deny",
    "block_id",
    "action_id",
    "slack_file",
    "image_url",
    "alt_text",
    "placeholder",
    "max_length",
    "min_length",
    "initial_value",
    "initial_date",
    "initial_time",
    "emoji",
    "style",
    "blocks",
]
_TYPES = [
    *MINIMAL_BLOCKS,
    *(e["type"] for e in MINIMAL_INPUT_ELEMENTS),
    "button",
    "overflow",
    "plain_text",
    "mrkdwn",
    "modal",
    "home",
    "rich_text_section",
]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.sampled_from(_TYPES),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_KEYS), inner),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(payload=_JSON)
def test_validators_never_raise_on_arbitrary_json(payload: object) -> None:
    # The stand-in must answer every request with a verdict, never a 500.
    for surface in ("message", "modal", "home"):
        assert isinstance(validate_blocks(payload, surface=surface), list)
        assert isinstance(validate_blocks([payload], surface=surface), list)
    assert isinstance(validate_view(payload), list)
    assert isinstance(validate_message(text=payload, blocks=payload), list)
