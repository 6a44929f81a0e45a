import { Body, Controller, Get, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { WriteAuthGuard } from '../auth/write-auth.guard';
import { ApiValidationPipe } from '../http/api-validation.pipe';
import { sendJsonView } from '../http/send-json-view';
import { ListServicesQuery } from './dto/list-services.query';
import { ServiceChangesQuery } from './dto/service-changes.query';
import { PatchServiceDto } from './dto/patch-service.dto';
import { RegisterServiceDto } from './dto/register-service.dto';
import { ServiceDirectory } from './service-directory.service';
import { ServiceSlugPipe } from './service-slug.pipe';
import { ServiceWriter } from './service-writer';
import { watchDuration } from './watch-duration';

@ApiTags('services')
@Controller('services')
export class ServicesController {
  constructor(
    private readonly directory: ServiceDirectory,
    private readonly writer: ServiceWriter,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List services (filters; with index+wait, block until the registry changes)' })
  @ApiOkResponse({ description: '{ data: Service[], meta: { total, healthyCount, unhealthyCount, sourceCounts, filters } }' })
  async list(@Query(ApiValidationPipe) query: ListServicesQuery, @Req() request: Request, @Res() response: Response): Promise<void> {
    const { index, wait, ...filters } = query;
    const view =
      index === undefined ? await this.directory.list(filters) : await this.directory.watch(filters, index, watchDuration(wait));
    await sendJsonView(request, response, view);
  }

  @Get('changes')
  @ApiOperation({
    summary: 'Changes after a registry index (upserts with their view, removals), waiting for one up to `wait`; `resync: true` when too far behind',
  })
  @ApiOkResponse({ description: '{ index, since, resync, upserts: Service[], removals: string[] }' })
  async changes(@Query(ApiValidationPipe) query: ServiceChangesQuery, @Req() request: Request, @Res() response: Response): Promise<void> {
    await sendJsonView(request, response, await this.directory.changes(query.since, watchDuration(query.wait), query.health ?? 'changes'));
  }

  @Get(':slug')
  @ApiOperation({ summary: 'One service' })
  async get(@Param('slug', ServiceSlugPipe) slug: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await sendJsonView(request, response, await this.directory.get(slug));
  }

  @Get(':slug/manifests')
  @ApiOperation({ summary: 'Every manifest version of a service, newest first' })
  async manifests(@Param('slug', ServiceSlugPipe) slug: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await sendJsonView(request, response, await this.directory.manifests(slug));
  }

  @Post()
  @UseGuards(WriteAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Register an external service (201 new, 200 updated)' })
  async register(@Body(ApiValidationPipe) body: RegisterServiceDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    const { created, service } = await this.writer.register(body);
    await sendJsonView(request, response, this.directory.writtenView(service), created ? 201 : 200);
  }

  @Patch(':slug')
  @UseGuards(WriteAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change baseUrl, status, statusMessage, capabilities, metadata or lastHealthyAt' })
  async patch(
    @Param('slug', ServiceSlugPipe) slug: string,
    @Body(ApiValidationPipe) body: PatchServiceDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const service = await this.writer.patch(slug, body);
    await sendJsonView(request, response, this.directory.writtenView(service));
  }
}
