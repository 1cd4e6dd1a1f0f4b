"""A small MCP server written with the SDK's FastMCP (called `MCPServer` since mcp 2),
run over stdio by the scenario: `python weather_server.py`."""

from mcp.server.mcpserver import MCPServer

server = MCPServer("weather")

FORECASTS = {"london": "light rain, 14 °C", "lisbon": "sunny, 24 °C"}


@server.tool()
def get_forecast(city: str) -> str:
    """Tomorrow's forecast for a city.

    Args:
        city: The city, e.g. London.
    """
    return FORECASTS.get(city.lower(), "no forecast for that city")


@server.tool()
def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from Celsius to Fahrenheit."""
    return round(celsius * 9 / 5 + 32, 1)


if __name__ == "__main__":
    server.run()  # stdio
